/** Benchmarks of the persona area. */
import type { BenchFigure } from './areas';

export async function runPersonaBenchmarks(): Promise<BenchFigure[]> {
  return [];
}
