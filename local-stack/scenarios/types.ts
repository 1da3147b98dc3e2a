/**
 * A part of the bundled scenario contributed by one area. main.ts runs every part's prepare() before the
 * Black Thursday replay (e.g. seeding recipients), play() after it in order, then prints every report().
 */
import type { ManualClock } from '../../shared/platform/clocks';
import type { LocalStack } from '../stack';

export interface ScenarioPart {
  name: string;
  prepare?(stack: LocalStack, clock: ManualClock): Promise<void>;
  play?(stack: LocalStack, clock: ManualClock): Promise<void>;
  /** Summary lines, plus whether the part saw what it expected (false makes `--once` exit 1). */
  report(stack: LocalStack): Promise<{ lines: string[]; ok: boolean }>;
}
