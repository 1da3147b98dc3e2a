/** ingestPrices — Cloud Scheduler → HTTP, every minute: read Chainlink and Pyth, validate, publish, record. */
import { ChainlinkPriceSource } from '../../shared/adapters/oracles/chainlink-source';
import { PythHermesPriceSource } from '../../shared/adapters/oracles/pyth-hermes-source';
import { readPriceSourcesConfig } from '../../shared/platform/config/prices';
import { scheduledJobHttp } from '../../shared/platform/triggers/scheduled-http';
import {
  ingestPrices as ingest,
  noAssetPriced,
  type IngestPricesDeps,
} from '../../shared/use-cases/ingest-prices';
import { httpWiring } from '../runtime/http-wiring';

/**
 * The Scheduler-facing handler: 200 with the outcome, 500 when the tick priced no asset at all (after its
 * alerts were published and its state recorded) or threw, so Scheduler retries and the error-rate alert sees it.
 */
export const ingestPricesHttp = (deps: () => Promise<IngestPricesDeps>) =>
  scheduledJobHttp('price ingestion', deps, ingest, noAssetPriced);

export const ingestPrices = httpWiring(
  'ingestPrices',
  (p, logger) => {
    const { feeds, pythHermesUrl } = readPriceSourcesConfig(p.env);
    return {
      ...p,
      logger,
      config: feeds,
      sources: [
        ChainlinkPriceSource.fromConfig(feeds, p.secrets),
        PythHermesPriceSource.fromConfig(feeds, { baseUrl: pythHermesUrl, secrets: p.secrets }),
      ],
    };
  },
  ingestPricesHttp,
);
