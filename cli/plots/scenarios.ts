import {
  expectedShortfallFromSmallest,
  quantileFromSmallest,
  tailProbability,
  type Exposure,
  type HorizonMethod,
  type QuantileMethod,
  type RiskFigure,
} from '../../shared/domain/risk/engine';
import { dateIndex, type PriceHistory } from '../../shared/domain/risk/history';

export interface ScenarioParams {
  asOf: string;
  lookbackDays: number;
  horizonDays: number;
  horizonMethod: HorizonMethod;
  /**
   * The return dates of the scenarios (RiskEngine.scenarioDates): around a missing close the engine leaves some
   * out and reaches further back. Without it, the lookbackDays days ending at asOf.
   */
  returnDates?: readonly string[];
}

/**
 * The simulated P&L the engine takes its VaR and ES from, one value per scenario, oldest first: exposures ×
 * daily returns (× √h for 'sqrt'), or × overlapping h-day returns. RiskEngine keeps this vector private, so
 * the CLI rebuilds it for the plot and checkScenarios() proves it against the engine's own figure.
 */
export function scenarioPnl(history: PriceHistory, exposures: Exposure[], p: ScenarioParams): number[] {
  const end = dateIndex(history, p.asOf);
  const back = p.horizonMethod === 'sqrt' ? 1 : p.horizonDays;
  const scale = p.horizonMethod === 'sqrt' ? Math.sqrt(p.horizonDays) : 1;
  const n = p.lookbackDays;
  if (end < 0 || end - n + 1 - back < 0) throw new Error(`no ${n}-scenario window ending ${p.asOf}`);
  if (p.returnDates && p.returnDates.length !== n)
    throw new Error(`${p.returnDates.length} return dates for ${n} scenarios`);
  const index = p.returnDates
    ? p.returnDates.map((d) => dateIndex(history, d))
    : Array.from({ length: n }, (_, s) => end - n + 1 + s);
  const pnl = new Array<number>(n).fill(0);
  for (const { asset, netUsd } of exposures) {
    if (netUsd === 0) continue;
    const closes = history.series[asset];
    for (let s = 0; s < n; s++) {
      const t = index[s];
      const now = closes?.[t];
      const then = closes?.[t - back];
      if (now == null || then == null) throw new Error(`${asset} has no close for scenario ${s}`);
      pnl[s] += netUsd * (now / then - 1);
    }
  }
  return pnl.map((v) => v * scale + 0);
}

/**
 * VaR and ES recomputed from `pnl` with the engine's own estimators must equal the engine's figure: the plot
 * then shows the distribution the printed numbers come from. A mismatch is a bug (internal error, exit 1).
 */
export function checkScenarios(pnl: number[], figure: RiskFigure, quantileMethod: QuantileMethod): void {
  const sorted = Float64Array.from(pnl).sort();
  const p = tailProbability(figure.confidence);
  const varUsd = -quantileFromSmallest(sorted, sorted.length, p, quantileMethod);
  const esUsd = expectedShortfallFromSmallest(sorted, sorted.length, p);
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  if (!close(varUsd, figure.varUsd) || !close(esUsd, figure.esUsd)) {
    throw new Error(
      `plot scenarios give VaR ${varUsd} / ES ${esUsd}, the engine ${figure.varUsd} / ${figure.esUsd}`,
    );
  }
}
