/**
 * ingestPrices' settings, read and validated once per cold start: where Pyth Hermes is, the price-feed
 * configuration (a PriceFeedConfigDocument, schemas/inputs/price-feeds.json: per asset its Chainlink proxy and
 * Pyth id and the validation bounds), and which of its assets to ingest. Every problem is reported at once
 * (ConfigError), as readConfig does; adding an asset is a change to the document, not to code.
 *
 *   PYTH_HERMES_URL    Pyth Hermes; default https://hermes.pyth.network (https required outside ENVIRONMENT=local)
 *   PRICE_FEEDS_PATH   a price-feed configuration JSON file; default: the bundled
 *                      shared/domain/prices/data/price-feeds.json
 *   PRICE_FEEDS_JSON   the price-feed configuration inline (exclusive with PRICE_FEEDS_PATH)
 *   PRICE_ASSETS       comma-separated subset of the configuration's assets to ingest; default every asset
 */
import { readFileSync } from 'node:fs';
import { PriceFeedConfigError, type PriceFeedConfig } from '../../domain/prices/config';
import { DEFAULT_PRICE_FEED_DOCUMENT } from '../../domain/prices/feeds';
import { parsePriceFeedConfig } from '../../domain/prices/parse-config';
import { ConfigError, environmentOf, serviceUrl } from './runtime';

export interface PriceSourcesConfig {
  pythHermesUrl: string;
  feeds: PriceFeedConfig;
  /** Where the price-feed configuration came from ("bundled default", "PRICE_FEEDS_JSON", "file …"), for logs. */
  feedsSource: string;
}

/** The price-feed document named by the environment (or the bundled one), validated; problems go to `problems`. */
function readFeeds(env: NodeJS.ProcessEnv, problems: string[]): { feeds?: PriceFeedConfig; source: string } {
  // An empty variable counts as unset (Terraform renders absent settings as empty strings).
  const path = env.PRICE_FEEDS_PATH || undefined;
  const inline = env.PRICE_FEEDS_JSON || undefined;
  if (path !== undefined && inline !== undefined) {
    problems.push('set only one of PRICE_FEEDS_PATH and PRICE_FEEDS_JSON');
    return { source: 'PRICE_FEEDS_PATH and PRICE_FEEDS_JSON' };
  }
  let raw: unknown = DEFAULT_PRICE_FEED_DOCUMENT;
  let source = 'bundled default';
  if (path !== undefined || inline !== undefined) {
    const name = inline !== undefined ? 'PRICE_FEEDS_JSON' : 'PRICE_FEEDS_PATH';
    source = inline !== undefined ? 'PRICE_FEEDS_JSON' : `file ${path}`;
    let text = inline;
    if (text === undefined) {
      try {
        text = readFileSync(path as string, 'utf8');
      } catch (err) {
        problems.push(
          `PRICE_FEEDS_PATH: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
        return { source };
      }
    }
    try {
      raw = JSON.parse(text);
    } catch (err) {
      problems.push(`${name} is not valid JSON (${(err as Error).message})`);
      return { source };
    }
  }
  try {
    return { feeds: parsePriceFeedConfig(raw), source };
  } catch (err) {
    if (!(err instanceof PriceFeedConfigError)) throw err;
    problems.push(...err.problems.map((p) => `price feeds (${source}): ${p}`));
    return { source };
  }
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
  const { feeds: all, source: feedsSource } = readFeeds(env, problems);
  const wanted = (env.PRICE_ASSETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (all) {
    const known = all.assets.map((a) => a.asset);
    const unknown = wanted.filter((a) => !known.includes(a));
    if (unknown.length)
      problems.push(
        `PRICE_ASSETS names assets with no configured feed: ${unknown.join(', ')} (known: ${known.join(', ')})`,
      );
  }
  if (problems.length || !all) throw new ConfigError(problems);
  const feeds = wanted.length ? { ...all, assets: all.assets.filter((a) => wanted.includes(a.asset)) } : all;
  return { pythHermesUrl, feeds, feedsSource };
}
