/** Benchmarks of the aml area. */
import type { BenchFigure } from './areas';

export async function runAmlBenchmarks(): Promise<BenchFigure[]> {
  return [];
}
