/**
 * Seeded fault injection for the local provider servers. Two levels, because real outages come in both:
 * a whole HTTP request fails (5xx, 429, a hang), or one feed's answer is garbage while the others are fine.
 * The PRNG is seeded, so a test that replays the same calls sees the same faults.
 */
import { seededRandom } from '../seeded-random';

export { seededRandom };

/** Faults that take the whole HTTP request down. */
export type RequestFault = 'http-500' | 'http-429' | 'hang';

/** Faults in one asset's answer. `rpc-error`/`revert` are Chainlink-only; `wide-confidence`/`missing` Pyth-only. */
export type AnswerFault =
  | 'rpc-error'
  | 'revert'
  | 'stale'
  | 'zero-answer'
  | 'negative-answer'
  | 'wild-price'
  | 'wide-confidence'
  | 'future-timestamp'
  | 'zero-timestamp'
  | 'missing';

export type FaultOdds<F extends string> = Partial<Record<F, number>>;

export interface ChaosOptions {
  seed: number;
  /** Probability of each request fault, per HTTP request (summed; at most 1). */
  request?: FaultOdds<RequestFault>;
  /** Probability of each answer fault, per asset per call, for assets not named in byAsset. */
  answer?: FaultOdds<AnswerFault>;
  /** Per-asset answer-fault odds replacing `answer` for that asset (`{}` = always healthy). */
  byAsset?: Record<string, FaultOdds<AnswerFault>>;
  /** How long a `hang` holds the request before answering 504 (bounded so servers close promptly). */
  hangMs?: number;
}

/** Spreads a total probability evenly over some faults: `evenly(0.5, ['stale', 'revert'])`. */
export function evenly<F extends string>(total: number, faults: readonly F[]): FaultOdds<F> {
  const each = faults.length ? total / faults.length : 0;
  return Object.fromEntries(faults.map((f) => [f, each])) as FaultOdds<F>;
}

export class Chaos {
  private readonly random: () => number;
  /** How many of each fault were injected, for tests and the local scenario's summary. */
  readonly injected = new Map<string, number>();

  constructor(readonly options: ChaosOptions | undefined) {
    this.random = seededRandom(options?.seed ?? 1);
  }

  get hangMs(): number {
    return this.options?.hangMs ?? 1_000;
  }

  /** A uniform draw from the seeded stream (wild factors, stale ages). */
  next(): number {
    return this.random();
  }

  requestFault(): RequestFault | undefined {
    return this.pick(this.options?.request);
  }

  answerFault(asset: string, allowed: readonly AnswerFault[]): AnswerFault | undefined {
    const odds = this.options?.byAsset?.[asset] ?? this.options?.answer;
    if (!odds) return undefined;
    const usable = Object.fromEntries(
      Object.entries(odds).filter(([f]) => allowed.includes(f as AnswerFault)),
    ) as FaultOdds<AnswerFault>;
    const fault = this.pick(usable);
    return fault;
  }

  /** Factor for a wild price: ×3..×10 or ÷3..÷10, far beyond any sane jump bound. */
  wildFactor(): number {
    const f = 3 + this.random() * 7;
    return this.random() < 0.5 ? f : 1 / f;
  }

  private pick<F extends string>(odds: FaultOdds<F> | undefined): F | undefined {
    if (!this.options || !odds) return undefined;
    const entries = Object.entries(odds) as [F, number][];
    if (entries.length === 0) return undefined;
    const u = this.random();
    let acc = 0;
    for (const [fault, p] of entries) {
      acc += p;
      if (u < acc) {
        this.injected.set(fault, (this.injected.get(fault) ?? 0) + 1);
        return fault;
      }
    }
    return undefined;
  }
}
