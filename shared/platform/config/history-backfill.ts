/**
 * backfillCloses' settings, read once per cold start (every problem at once, as the other readers): the price
 * sources as ingestPrices reads them (the same feeds document, so both fill the same assets), and how much history
 * to fill and how fast.
 *
 *   HISTORY_BACKFILL_DAYS               full days to fill, ending yesterday; default 400 (a 365-day lookback, a
 *                                       10-day horizon and room for gaps); at most the feeds' dailyCloseLimit − 1
 *   HISTORY_BACKFILL_CHUNK_DAYS         days between commits (what a crash makes a rerun read again); default 30
 *   HISTORY_BACKFILL_PYTH_INTERVAL_MS   pause between Hermes requests; default 400 (public host: 30 per 10 s)
 *   HISTORY_BACKFILL_BUDGET_SECONDS     stop at the next commit after this long, answer `partial`; default 1500
 *                                       (the function's timeout is 1800 s; the next run continues)
 */
import type { BackfillOptions } from '../../domain/prices/history-close';
import { readPriceSourcesConfig, type PriceSourcesConfig } from './prices';
import { ConfigError, integer } from './runtime';

export interface HistoryBackfillConfig {
  sources: PriceSourcesConfig;
  options: BackfillOptions;
}

export function readHistoryBackfillConfig(env: NodeJS.ProcessEnv = process.env): HistoryBackfillConfig {
  const sources = readPriceSourcesConfig(env);
  const problems: string[] = [];
  const maxDays = sources.feeds.dailyCloseLimit - 1;
  const days = integer(env, 'HISTORY_BACKFILL_DAYS', Math.min(400, maxDays), 2, maxDays, problems);
  const options: BackfillOptions = {
    days,
    chunkDays: integer(env, 'HISTORY_BACKFILL_CHUNK_DAYS', 30, 1, 366, problems),
    pythIntervalMs: integer(env, 'HISTORY_BACKFILL_PYTH_INTERVAL_MS', 400, 0, 60_000, problems),
    budgetMs: integer(env, 'HISTORY_BACKFILL_BUDGET_SECONDS', 1500, 10, 3600, problems) * 1000,
  };
  if (problems.length) throw new ConfigError(problems);
  return { sources, options };
}
