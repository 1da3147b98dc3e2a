/** Benchmarks contributed by the areas after the risk core; each returns its printed figures. */
import { runAmlBenchmarks } from './aml';
import { runCasesBenchmarks } from './cases';
import { runCheckRiskBenchmarks } from './check-risk';
import { runDashboardBenchmarks } from './dashboard';
import { runHaltPropagationBenchmarks } from './halt-propagation';
import { runNotificationBenchmarks } from './notifications';
import { runOperationsBenchmarks } from './operations';
import { runPersonaBenchmarks } from './persona';

export interface BenchFigure {
  name: string;
  value: number | string;
  unit: string;
}

export const AREA_BENCHMARKS: { name: string; run: () => Promise<BenchFigure[]> }[] = [
  { name: 'aml', run: runAmlBenchmarks },
  { name: 'cases', run: runCasesBenchmarks },
  { name: 'persona', run: runPersonaBenchmarks },
  { name: 'notifications', run: runNotificationBenchmarks },
  { name: 'operations', run: runOperationsBenchmarks },
  { name: 'check-risk', run: runCheckRiskBenchmarks },
  { name: 'halt-propagation', run: runHaltPropagationBenchmarks },
  { name: 'dashboard', run: runDashboardBenchmarks },
];
