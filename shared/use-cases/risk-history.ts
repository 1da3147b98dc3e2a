/**
 * The daily closes of assets as one aligned price history: what the VaR engine and the drawdowns run on. Shared by
 * computePortfolioRisk and checkRisk, and cached per store while the closes are unchanged.
 */
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
import type { DailyClosesDoc } from '../domain/prices/ticks';
import type { RiskEngine } from '../domain/risk/engine';
import type { PriceHistory } from '../domain/risk/history';
import { HISTORY_GAP_LOG } from '../platform/log-messages';
import type { DocumentStore } from '../ports/document-store';
import type { Logger } from '../ports/logger';

/** Aligned histories per store (one per deployment; several in tests), reused while the closes are unchanged. */
const historyCaches = new WeakMap<DocumentStore, Map<string, { key: string; history: PriceHistory }>>();
/** Per store, by assets: the history of the latest tick read for (kept while its read is under way too). */
const tickHistories = new WeakMap<
  DocumentStore,
  Map<string, { tick: string; history: Promise<PriceHistory> }>
>();

/**
 * Daily closes of the assets, aligned on calendar days (a day without a close is null: the engine computes around
 * a few of them, see RiskEngine and logHistoryGaps).
 *
 * With `tick` (the price tick's asOf), the history read for that tick is the history of every shard of it on this
 * instance: read once, without a round trip per shard. The closes the tick's ingestion wrote are in it; a
 * backfill that lands during the tick's minute is seen from the next tick on.
 */
export function loadHistory(store: DocumentStore, assets: string[], tick?: string): Promise<PriceHistory> {
  if (tick === undefined) return readHistory(store, assets);
  const name = assets.join(',');
  let byAssets = tickHistories.get(store);
  if (!byAssets) tickHistories.set(store, (byAssets = new Map()));
  const known = byAssets.get(name);
  if (known?.tick === tick) return known.history;
  const history = readHistory(store, assets);
  const entry = { tick, history };
  byAssets.set(name, entry);
  // A failed read is not kept: the next shard of the tick reads again.
  history.catch(() => byAssets.get(name) === entry && byAssets.delete(name));
  return history;
}

async function readHistory(store: DocumentStore, assets: string[]): Promise<PriceHistory> {
  const docs = await store.getMany<DailyClosesDoc>(FIRESTORE_COLLECTIONS.risk.dailyCloses, assets);
  const key = assets
    .map((a) => `${a}:${docs.get(a)?.closes.at(-1)?.date ?? ''}:${docs.get(a)?.closes.length ?? 0}`)
    .join('|');
  let historyCache = historyCaches.get(store);
  if (!historyCache) historyCaches.set(store, (historyCache = new Map()));
  const cached = historyCache.get(assets.join(','));
  if (cached && cached.key === key) return cached.history;
  let first = '';
  let last = '';
  for (const d of docs.values()) {
    const f = d.closes[0]?.date;
    const l = d.closes.at(-1)?.date;
    if (f && (!first || f < first)) first = f;
    if (l && (!last || l > last)) last = l;
  }
  const dates: string[] = [];
  if (first)
    for (let t = Date.parse(first); t <= Date.parse(last); t += 86_400_000)
      dates.push(new Date(t).toISOString().slice(0, 10));
  const pos = new Map(dates.map((d, i) => [d, i]));
  const series: Record<string, (number | null)[]> = {};
  for (const [asset, d] of docs) {
    const s: (number | null)[] = new Array(dates.length).fill(null);
    for (const c of d.closes) {
      const i = pos.get(c.date);
      if (i !== undefined) s[i] = c.close;
    }
    series[asset] = s;
  }
  const history = { dates, series };
  historyCache.set(assets.join(','), { key, history });
  return history;
}

/** Per store (one per deployment instance; several in tests): when each missing close was last logged. */
const gapsLogged = new WeakMap<DocumentStore, Map<string, number>>();

/**
 * How often an instance repeats the warning for a close that stays missing. The alert policy sums the log metric
 * over one-hour windows (terraform/modules/monitoring), so a line every 30 minutes keeps it firing while the gap
 * lasts; logging every engine build (every shard, every tick) would write ~23,000 lines a day per gap.
 */
export const HISTORY_GAP_RELOG_MS = 30 * 60_000;

/**
 * A warning per missing close a freshly built engine computed around (read by a log-based metric and its alert):
 * asset and date only, never whose portfolio. Repeated by an instance at most every HISTORY_GAP_RELOG_MS of `now`.
 */
export function logHistoryGaps(logger: Logger, engine: RiskEngine, store: DocumentStore, now: Date): void {
  let logged = gapsLogged.get(store);
  if (!logged) gapsLogged.set(store, (logged = new Map()));
  const historyEnd = engine.historyEnd;
  const t = now.getTime();
  for (const { asset, date } of engine.historyGaps) {
    const key = `${asset}:${date}`;
    const last = logged.get(key);
    if (last !== undefined && t >= last && t - last < HISTORY_GAP_RELOG_MS) continue;
    logged.set(key, t);
    logger.warn(HISTORY_GAP_LOG, { asset, date, historyEnd });
  }
}
