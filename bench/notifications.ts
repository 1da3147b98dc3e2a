/** Benchmarks of the notifications area. */
import type { BenchFigure } from './areas';

export async function runNotificationBenchmarks(): Promise<BenchFigure[]> {
  return [];
}
