/** Benchmarks of the operations area. */
import type { BenchFigure } from './areas';

export async function runOperationsBenchmarks(): Promise<BenchFigure[]> {
  return [];
}
