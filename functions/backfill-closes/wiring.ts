/**
 * backfillCloses — Cloud Scheduler → HTTP, daily at 00:20 UTC, and on demand (an operator's POST after a fresh
 * deployment): fills the daily closes VaR needs from Chainlink's and Pyth's own history, and repairs a day the
 * live path missed. 200 with the outcome (`partial` when its time budget ran out: the next call continues), 500
 * when a source could not be read (nothing after the last commit is lost; Scheduler retries).
 */
import { ChainlinkHistoryReader } from '../../shared/adapters/oracles/chainlink-history';
import { PythHermesPriceSource } from '../../shared/adapters/oracles/pyth-hermes-source';
import { readHistoryBackfillConfig } from '../../shared/platform/config/history-backfill';
import { scheduledJobHttp } from '../../shared/platform/triggers/scheduled-http';
import { backfillDailyCloses, type BackfillDeps } from '../../shared/use-cases/backfill/backfill-closes';
import { httpWiring } from '../runtime/http-wiring';

export const backfillCloses = httpWiring(
  'backfillCloses',
  (p, logger): BackfillDeps => {
    const { sources, options } = readHistoryBackfillConfig(p.env);
    return {
      store: p.store,
      clock: p.clock,
      logger,
      config: sources.feeds,
      chainlink: ChainlinkHistoryReader.fromConfig(sources.feeds, p.secrets),
      pyth: PythHermesPriceSource.fromConfig(sources.feeds, {
        baseUrl: sources.pythHermesUrl,
        secrets: p.secrets,
      }),
      options,
    };
  },
  (deps) => scheduledJobHttp('history backfill', deps, backfillDailyCloses),
);
