/**
 * ingestPrices' settings: where Pyth Hermes is, and which of the configured assets to ingest (PRICE_ASSETS,
 * comma-separated; default every asset of DEFAULT_PRICE_FEED_CONFIG).
 */
import type { PriceFeedConfig } from '../../domain/prices/config';
import { DEFAULT_PRICE_FEED_CONFIG } from '../../domain/prices/feeds';
import { ConfigError, environmentOf, serviceUrl } from './runtime';

export interface PriceSourcesConfig {
  pythHermesUrl: string;
  feeds: PriceFeedConfig;
}

export function readPriceSourcesConfig(env: NodeJS.ProcessEnv = process.env): PriceSourcesConfig {
  const problems: string[] = [];
  const pythHermesUrl =
    serviceUrl(
      env,
      'PYTH_HERMES_URL',
      'https://hermes.pyth.network',
      environmentOf(env, problems),
      problems,
    ) ?? '';
  const known = DEFAULT_PRICE_FEED_CONFIG.assets.map((a) => a.asset);
  const wanted = (env.PRICE_ASSETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted.filter((a) => !known.includes(a));
  if (unknown.length)
    problems.push(
      `PRICE_ASSETS names assets with no configured feed: ${unknown.join(', ')} (known: ${known.join(', ')})`,
    );
  if (problems.length) throw new ConfigError(problems);
  const feeds = wanted.length
    ? {
        ...DEFAULT_PRICE_FEED_CONFIG,
        assets: DEFAULT_PRICE_FEED_CONFIG.assets.filter((a) => wanted.includes(a.asset)),
      }
    : DEFAULT_PRICE_FEED_CONFIG;
  return { pythHermesUrl, feeds };
}
