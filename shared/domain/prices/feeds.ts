import type { PriceFeedConfig } from './config';
import bundled from './data/price-feeds.json';

/**
 * The bundled price-feed configuration, data rather than code: shared/domain/prices/data/price-feeds.json, a
 * PriceFeedConfigDocument (schemas/inputs/price-feeds.json). Mainnet feeds: Chainlink proxies are Ethereum
 * mainnet; Pyth ids are the stable (mainnet) ids, the same on every chain. Heartbeats and deviation thresholds
 * change over time: verify on data.chain.link before relying on them. Provenance per asset in `note`.
 *
 * A deployment overrides it with PRICE_FEEDS_PATH or PRICE_FEEDS_JSON (shared/platform/config/prices.ts), which
 * validates whichever document it uses with parsePriceFeedConfig at start; a test proves this one parses to
 * itself.
 */
export const DEFAULT_PRICE_FEED_DOCUMENT: unknown = bundled;

export const DEFAULT_PRICE_FEED_CONFIG: PriceFeedConfig = bundled as PriceFeedConfig;
