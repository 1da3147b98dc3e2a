/** ingestPrices — Cloud Scheduler → HTTP, every minute: read Chainlink and Pyth, validate, publish, record. */
import { ChainlinkPriceSource } from '../../shared/adapters/oracles/chainlink-source';
import { PythHermesPriceSource } from '../../shared/adapters/oracles/pyth-hermes-source';
import { readPriceSourcesConfig } from '../../shared/platform/config/prices';
import { scheduledJobHttp } from '../../shared/platform/triggers/scheduled-http';
import { ingestPrices as ingest } from '../../shared/use-cases/ingest-prices';
import { httpWiring } from '../runtime/http-wiring';

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
  (deps) => scheduledJobHttp('price ingestion', deps, ingest),
);
