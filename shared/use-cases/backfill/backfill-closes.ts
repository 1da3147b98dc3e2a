/**
 * The history backfill: fills the daily closes VaR reads (`dailyCloses/<asset>`) for the last `days` full days
 * from the price sources' own history, through the same clients the live path uses — Chainlink rounds walked
 * back by proxy round id (phases included), Pyth updates by publish time — each day's close validated by the
 * two sources agreeing (reconcileHistoricalClose), not by the live jump bound.
 *
 * Days that already have a close (the live path's, or an earlier run's) are never read again nor overwritten,
 * so a rerun is idempotent and the same job repairs a day the live path missed ("fill from the other source").
 * Work is committed every `chunkDays` days in one transaction with the run's progress (`priceHistoryBackfill/
 * <asset>`: the range, the Chainlink walk's position, the days no source could give), so a run that dies
 * resumes where the last commit left it, redoing at most one chunk's reads. Nothing is written on failure.
 */
import { FIRESTORE_COLLECTIONS } from '../../contracts/firestore';
import type { AssetFeedConfig, PriceFeedConfig } from '../../domain/prices/config';
import {
  addDays,
  dayEndSeconds,
  daysDescending,
  mergeBackfilledCloses,
  pythCloseRequestSeconds,
  reconcileHistoricalClose,
  type BackfillOptions,
  type HistoricalPythPrice,
} from '../../domain/prices/history-close';

export type { BackfillOptions };
import {
  DAILY_CLOSES_COLLECTION,
  utcDate,
  type DailyClose,
  type DailyClosesDoc,
} from '../../domain/prices/ticks';
import type { Clock } from '../../ports/clock';
import type { DocumentStore } from '../../ports/document-store';
import type { Logger } from '../../ports/logger';
import type { ChainlinkRoundHistory, PythPriceHistory } from '../../ports/price-history';
import { RoundWalker, type WalkState } from './round-walker';

export const BACKFILL_COLLECTION = FIRESTORE_COLLECTIONS.prices.historyBackfill;

export interface BackfillDeps {
  store: DocumentStore;
  clock: Clock;
  logger: Logger;
  /** The assets to fill and their validation bounds. */
  config: PriceFeedConfig;
  chainlink: ChainlinkRoundHistory;
  pyth: PythPriceHistory;
  options: BackfillOptions;
  sleep?: (ms: number) => Promise<void>;
  /** Progress lines (the command prints them; the function logs them). */
  onProgress?: (line: string) => void;
}

export interface AssetOutcome {
  /** Days of the range that had no close when the run started. */
  missingAtStart: number;
  filled: number;
  /** Of those filled, closes only one source could give. */
  singleSource: number;
  /** Days no source could give (or the sources disagreed), with why. */
  unavailable: { date: string; reason: string }[];
  /** Days still to do when the run stopped. */
  remaining: number;
}

export interface BackfillOutcome {
  status: 'done' | 'partial';
  from: string;
  to: string;
  assets: Record<string, AssetOutcome>;
  chunks: number;
}

/** Progress of one asset's backfill over one range. */
interface ProgressDoc {
  asset: string;
  from: string;
  to: string;
  status: 'running' | 'done';
  /** Days tried that no source could give (not tried again over the same range). */
  unavailable: string[];
  walk:
    | (Omit<WalkState, 'anchor'> & {
        anchor: Omit<WalkState['anchor'], 'aggregatorRound'> & { aggregatorRound: string };
      })
    | null;
  /** Consecutive days Pyth had nothing, counting back: past PYTH_MISSES_TO_STOP, Pyth's history has ended. */
  pythMisses: number;
  updatedAt: string;
  [key: string]: unknown;
}

/** Pyth answering nothing for this many days in a row means its history ends there: stop asking it. */
const PYTH_MISSES_TO_STOP = 7;
const MAX_LISTED_UNAVAILABLE = 50;

const walkToDoc = (w: WalkState | undefined): ProgressDoc['walk'] =>
  w ? { ...w, anchor: { ...w.anchor, aggregatorRound: w.anchor.aggregatorRound.toString() } } : null;
const walkFromDoc = (w: ProgressDoc['walk']): WalkState | undefined =>
  w ? { ...w, anchor: { ...w.anchor, aggregatorRound: BigInt(w.anchor.aggregatorRound) } } : undefined;

interface AssetRun {
  feed: AssetFeedConfig;
  todo: string[];
  next: number;
  walker?: RoundWalker;
  pythMisses: number;
  unavailable: string[];
  pending: DailyClose[];
  outcome: AssetOutcome;
}

export async function backfillDailyCloses(deps: BackfillDeps): Promise<BackfillOutcome> {
  const { store, clock, config, options } = deps;
  const started = clock.now().getTime();
  const to = addDays(utcDate(clock.now()), -1);
  const from = addDays(to, -(options.days - 1));
  const assets = config.assets.map((a) => a.asset);
  const closesDocs = await store.getMany<DailyClosesDoc>(DAILY_CLOSES_COLLECTION, assets);
  const progressDocs = await store.getMany<ProgressDoc>(BACKFILL_COLLECTION, assets);

  const runs: AssetRun[] = config.assets.map((feed) => {
    const have = new Set((closesDocs.get(feed.asset)?.closes ?? []).map((c) => c.date));
    const progress = progressDocs.get(feed.asset);
    const sameRange = progress?.from === from && progress.to === to;
    const tried = new Set(sameRange ? progress.unavailable : []);
    const missing = daysDescending(from, to).filter((d) => !have.has(d));
    const todo = missing.filter((d) => !tried.has(d));
    return {
      feed,
      todo,
      next: 0,
      walker:
        feed.chainlink && deps.chainlink.has(feed.asset)
          ? new RoundWalker(deps.chainlink, feed.asset, sameRange ? walkFromDoc(progress.walk) : undefined)
          : undefined,
      pythMisses: sameRange ? progress.pythMisses : 0,
      unavailable: sameRange ? [...progress.unavailable] : [],
      pending: [],
      outcome: {
        missingAtStart: missing.length,
        filled: 0,
        singleSource: 0,
        unavailable: [],
        remaining: todo.length,
      },
    };
  });

  let chunks = 0;
  let sinceCommit = 0;
  let lastPyth = 0;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (;;) {
    const active = runs.filter((r) => r.next < r.todo.length);
    if (active.length === 0) break;
    // One day for every asset still on it, newest first; assets whose next day differs are taken in later passes.
    const day = active
      .map((r) => r.todo[r.next])
      .sort()
      .at(-1) as string;
    const onDay = active.filter((r) => r.todo[r.next] === day);
    const askPyth = onDay.filter(
      (r) => r.feed.pyth && deps.pyth.has(r.feed.asset) && r.pythMisses < PYTH_MISSES_TO_STOP,
    );
    const wait = lastPyth + options.pythIntervalMs - clock.now().getTime();
    if (askPyth.length && wait > 0) await sleep(wait);
    const [rounds, pyth] = await Promise.all([
      Promise.all(onDay.map((r) => r.walker?.atOrBefore(dayEndSeconds(day)))),
      askPyth.length
        ? deps.pyth.pricesAt(
            askPyth.map((r) => r.feed.asset),
            pythCloseRequestSeconds(day),
          )
        : Promise.resolve(new Map<string, HistoricalPythPrice>()),
    ]);
    if (askPyth.length) lastPyth = clock.now().getTime();
    const askedPyth = new Set(askPyth);
    onDay.forEach((r, i) => {
      const asset = r.feed.asset;
      const p = pyth.get(asset);
      if (askedPyth.has(r)) r.pythMisses = p ? 0 : r.pythMisses + 1;
      const round = rounds[i];
      const close = reconcileHistoricalClose(
        r.feed,
        day,
        round && { answer: round.answer, updatedAt: round.updatedAt },
        p,
        config.chainlinkStalenessMarginSeconds,
      );
      if (close.ok) {
        r.pending.push({ date: day, close: close.close, sources: close.sources });
        r.outcome.filled++;
        if (close.sources !== 'chainlink+pyth') r.outcome.singleSource++;
      } else {
        r.unavailable.push(day);
        r.outcome.unavailable.push({ date: day, reason: close.reason });
        deps.logger.warn('history backfill: no close for a day', { asset, date: day, reason: close.reason });
      }
      r.next++;
      r.outcome.remaining = r.todo.length - r.next;
    });
    sinceCommit++;
    if (sinceCommit >= options.chunkDays) {
      await commit(deps, runs, from, to);
      chunks++;
      sinceCommit = 0;
      report(deps, runs, day);
      if (clock.now().getTime() - started > options.budgetMs && runs.some((r) => r.next < r.todo.length))
        return outcomeOf('partial', from, to, runs, chunks);
    }
  }
  await commit(deps, runs, from, to);
  chunks++;
  report(deps, runs, from);
  return outcomeOf('done', from, to, runs, chunks);
}

/** One transaction: every asset's new closes merged into its daily closes, and its progress. */
async function commit(deps: BackfillDeps, runs: AssetRun[], from: string, to: string): Promise<void> {
  const now = deps.clock.now().toISOString();
  const limit = deps.config.dailyCloseLimit;
  await deps.store.runTransaction(async (tx) => {
    const docs = await tx.getAll(
      runs.map((r) => ({ collection: DAILY_CLOSES_COLLECTION, id: r.feed.asset })),
    );
    runs.forEach((r, i) => {
      const asset = r.feed.asset;
      if (r.pending.length) {
        const existing = (docs[i] as DailyClosesDoc | undefined)?.closes ?? [];
        tx.set(DAILY_CLOSES_COLLECTION, asset, {
          asset,
          closes: mergeBackfilledCloses(existing, r.pending, limit),
          updatedAt: now,
        });
      }
      const progress: ProgressDoc = {
        asset,
        from,
        to,
        status: r.next >= r.todo.length ? 'done' : 'running',
        unavailable: r.unavailable,
        walk: walkToDoc(r.walker?.position),
        pythMisses: r.pythMisses,
        updatedAt: now,
      };
      tx.set(BACKFILL_COLLECTION, asset, progress);
    });
  });
  for (const r of runs) r.pending = [];
}

function report(deps: BackfillDeps, runs: AssetRun[], reached: string): void {
  const total = runs.reduce((n, r) => n + r.todo.length, 0);
  const done = runs.reduce((n, r) => n + r.next, 0);
  const filled = runs.reduce((n, r) => n + r.outcome.filled, 0);
  const line = `history backfill: ${done}/${total} asset-days read (back to ${reached}), ${filled} closes filled`;
  deps.logger.info('history backfill progress', { done, total, filled, reached });
  deps.onProgress?.(line);
}

function outcomeOf(
  status: BackfillOutcome['status'],
  from: string,
  to: string,
  runs: AssetRun[],
  chunks: number,
): BackfillOutcome {
  const assets: Record<string, AssetOutcome> = {};
  for (const r of runs)
    assets[r.feed.asset] = {
      ...r.outcome,
      unavailable: r.outcome.unavailable.slice(0, MAX_LISTED_UNAVAILABLE),
    };
  return { status, from, to, assets, chunks };
}
