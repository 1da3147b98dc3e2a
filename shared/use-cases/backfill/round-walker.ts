/**
 * Finds, for one Chainlink feed, the last round updated at or before a time, for times asked newest first (a
 * day's close, then the day before's). Rounds are found by search, not read one by one: a step back by the
 * previous day's round count lands near the answer, interpolation between the bracketing rounds finishes it,
 * so a day costs a few calls whether the feed updates 3 or 300 times a day. At a phase's first round the
 * search steps into the previous phase (its round ids start at 1 again under another phase id) after finding
 * that phase's last round by galloping then bisecting over "No data present".
 */
import { proxyRoundId, splitRoundId } from '../../domain/prices/round-ids';
import { HistoryReadError, type ChainlinkRound, type ChainlinkRoundHistory } from '../../ports/price-history';

export interface WalkPoint {
  phase: number;
  aggregatorRound: bigint;
  answer: number;
  updatedAt: number;
}

/** Where a walk stands: saved with the backfill's progress so a resumed run continues without re-walking. */
export interface WalkState {
  /** The last answer found (a round at or before the previous time asked). */
  anchor: WalkPoint;
  /** Rounds between the last two answers: the first guess of the next step back. */
  step: number;
  /** The time the anchor answered for; a later time starts again from the latest round. */
  askedAt: number;
}

const toPoint = (r: ChainlinkRound): WalkPoint => {
  const { phase, aggregatorRound } = splitRoundId(r.roundId);
  return { phase, aggregatorRound, answer: r.answer, updatedAt: r.updatedAt };
};

/** Bisection takes over when interpolation has not closed the bracket after this many reads. */
const INTERPOLATION_READS = 4;

export class RoundWalker {
  private readonly cache = new Map<string, WalkPoint | null>();
  private state?: WalkState;
  /** The feed has no round at or before this time (the walk went past its first round). */
  private noRoundBy?: number;

  constructor(
    private readonly history: ChainlinkRoundHistory,
    private readonly asset: string,
    resume?: WalkState,
  ) {
    this.state = resume;
  }

  get position(): WalkState | undefined {
    return this.state;
  }

  /** The last round updated at or before `time` (unix seconds); undefined when the feed has no round that old. */
  async atOrBefore(time: number): Promise<WalkPoint | undefined> {
    if (this.noRoundBy !== undefined && time <= this.noRoundBy) return undefined;
    if (this.state && time > this.state.askedAt) this.state = undefined;
    if (!this.state) {
      const latest = toPoint(await this.history.latestRound(this.asset));
      this.remember(latest);
      this.state = { anchor: latest, step: 1, askedAt: Number.POSITIVE_INFINITY };
    }
    const { anchor } = this.state;
    // The round after the anchor was later than the previous time asked: the anchor still answers.
    if (anchor.updatedAt <= time) {
      this.state = { ...this.state, askedAt: time };
      return anchor;
    }
    let hi = anchor;
    for (;;) {
      const found = await this.searchPhase(hi, time);
      if (found) {
        const rounds = Number(countBetween(found, anchor));
        this.state = { anchor: found, step: Math.max(1, rounds), askedAt: time };
        return found;
      }
      // Everything in hi's phase is later than `time`: continue from the previous phase's last round.
      const last = await this.lastRoundOfPhase(hi.phase - 1);
      if (!last) {
        this.noRoundBy = time;
        return undefined;
      }
      if (last.updatedAt <= time) {
        this.state = { anchor: last, step: this.state.step, askedAt: time };
        return last;
      }
      hi = last;
    }
  }

  /** In hi's phase, the last round at or before `time` (hi itself is later); undefined if even round 1 is later. */
  private async searchPhase(hi: WalkPoint, time: number): Promise<WalkPoint | undefined> {
    const phase = hi.phase;
    let upper = hi;
    let lower: WalkPoint | undefined;
    let step = BigInt(Math.max(1, this.state?.step ?? 1));
    let reads = 0;
    for (;;) {
      if (lower && upper.aggregatorRound - lower.aggregatorRound === 1n) return lower;
      let guess: bigint;
      if (lower) {
        const span = upper.aggregatorRound - lower.aggregatorRound;
        const interpolate = reads < INTERPOLATION_READS && upper.updatedAt > lower.updatedAt;
        const offset = interpolate
          ? BigInt(
              Math.floor(((time - lower.updatedAt) / (upper.updatedAt - lower.updatedAt)) * Number(span)),
            )
          : span / 2n;
        guess = lower.aggregatorRound + clamp(offset, 1n, span - 1n);
      } else {
        if (upper.aggregatorRound === 1n) return undefined;
        guess = upper.aggregatorRound - step;
        if (guess < 1n) guess = 1n;
        step *= 2n; // a miss doubles the next step back (galloping)
      }
      const r = await this.read(phase, guess);
      reads++;
      if (!r)
        throw new HistoryReadError(
          'chainlink',
          'ROUND_MISSING',
          `${this.asset}: round ${guess} of phase ${phase} has no data inside the feed's history`,
        );
      if (r.updatedAt <= time) lower = r;
      else upper = r;
    }
  }

  /** The last round of `phase` (0 = before the first phase: none). */
  private async lastRoundOfPhase(phase: number): Promise<WalkPoint | undefined> {
    if (phase < 1) return undefined;
    let present = await this.read(phase, 1n);
    if (!present) return undefined;
    let absent = 2n;
    // Gallop: 2, 4, 8, … until a round is missing.
    for (;;) {
      const r = await this.read(phase, absent);
      if (!r) break;
      present = r;
      absent *= 2n;
    }
    while (absent - present.aggregatorRound > 1n) {
      const mid = (present.aggregatorRound + absent) / 2n;
      const r = await this.read(phase, mid);
      if (r) present = r;
      else absent = mid;
    }
    return present;
  }

  private async read(phase: number, aggregatorRound: bigint): Promise<WalkPoint | undefined> {
    const key = `${phase}:${aggregatorRound}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const [r] = await this.history.rounds(this.asset, [proxyRoundId(phase, aggregatorRound)]);
    const point = r ? toPoint(r) : undefined;
    if (point && (point.phase !== phase || point.aggregatorRound !== aggregatorRound))
      throw new HistoryReadError(
        'chainlink',
        'ROUND_MISMATCH',
        `${this.asset}: asked for round ${aggregatorRound} of phase ${phase}, got another`,
      );
    this.cache.set(key, point ?? null);
    return point;
  }

  private remember(p: WalkPoint): void {
    this.cache.set(`${p.phase}:${p.aggregatorRound}`, p);
  }
}

const clamp = (v: bigint, lo: bigint, hi: bigint) => (v < lo ? lo : v > hi ? hi : v);

/** Rounds from a to b within one phase (across phases, a's round number stands for the distance). */
function countBetween(a: WalkPoint, b: WalkPoint): bigint {
  return a.phase === b.phase ? b.aggregatorRound - a.aggregatorRound : a.aggregatorRound;
}
