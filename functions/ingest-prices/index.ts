/** ingestPrices — Cloud Scheduler → HTTP, every minute. Thin entry point: build deps, run the use case. */
import * as ff from '@google-cloud/functions-framework';
import { ChainlinkPriceSource } from '../../shared/adapters/oracles/chainlink-source';
import { PythHermesPriceSource } from '../../shared/adapters/oracles/pyth-hermes-source';
import { once } from '../../shared/platform/once';
import { scheduledJobHttp } from '../../shared/platform/scheduled-http';
import { platformDeps } from '../../shared/platform/production-deps';
import {
  DEFAULT_PRICE_FEED_CONFIG,
  ingestPrices,
  type IngestPricesDeps,
} from '../../shared/use-cases/ingest-prices';

export function ingestPricesHttp(deps: () => Promise<IngestPricesDeps>): ff.HttpFunction {
  return scheduledJobHttp('price ingestion', deps, ingestPrices);
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
