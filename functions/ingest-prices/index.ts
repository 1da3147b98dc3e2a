/** ingestPrices — Cloud Scheduler → HTTP, every minute. Thin entry point: build deps, run the use case. */
import * as ff from '@google-cloud/functions-framework';
import { ChainlinkPriceSource } from '../../shared/adapters/oracles/chainlink-source';
import { PythHermesPriceSource } from '../../shared/adapters/oracles/pyth-hermes-source';
import { once } from '../../shared/platform/once';
import { platformDeps } from '../../shared/platform/production-deps';
import {
  DEFAULT_PRICE_FEED_CONFIG,
  ingestPrices,
  type IngestPricesDeps,
} from '../../shared/use-cases/ingest-prices';

export function ingestPricesHttp(deps: () => Promise<IngestPricesDeps>): ff.HttpFunction {
  return async (req, res) => {
    if (req.method !== 'POST' && req.method !== 'GET') {
      res.status(405).json({ error: 'use POST (Cloud Scheduler) or GET' });
      return;
    }
    let d: IngestPricesDeps | undefined;
    try {
      d = await deps();
      const outcome = await ingestPrices(d);
      res.status(200).json(outcome);
    } catch (err) {
      // 500 lets Cloud Scheduler retry per its retry_config; the tick id keeps the retry idempotent.
      d?.logger.error('price ingestion failed', { error: err });
      res.status(500).json({ error: 'price ingestion failed' });
    }
  };
}

async function productionDeps(): Promise<IngestPricesDeps> {
  const p = await platformDeps('ingestPrices');
  const config = DEFAULT_PRICE_FEED_CONFIG;
  return {
    ...p,
    config,
    sources: [
      ChainlinkPriceSource.fromConfig(config, p.secrets),
      PythHermesPriceSource.fromConfig(config, { baseUrl: p.config.pythHermesUrl, secrets: p.secrets }),
    ],
  };
}

ff.http('ingestPrices', ingestPricesHttp(once(productionDeps)));
