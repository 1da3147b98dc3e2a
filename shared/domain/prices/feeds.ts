import type { PriceFeedConfig } from './config';

/**
 * Mainnet feeds. Chainlink proxies are Ethereum mainnet; Pyth ids are the stable (mainnet) ids, the same on
 * every chain. Heartbeats and deviation thresholds change over time: verify on data.chain.link before relying
 * on them, and override through configuration rather than editing code. Provenance per asset in `note`.
 */
export const DEFAULT_PRICE_FEED_CONFIG: PriceFeedConfig = {
  assets: [
    {
      asset: 'BTC',
      chainlink: {
        proxy: '0xF4030086522a5bEEa4988F8cA5B36dbC97BeE88c',
        decimals: 8,
        heartbeatSeconds: 3600,
        deviationThreshold: 0.005,
      },
      pyth: {
        id: '0xe62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43',
        maxAgeSeconds: 60,
        maxConfidenceRatio: 0.01,
      },
      maxJumpRatio: 0.5,
      maxSourceDeviation: 0.05,
      note: 'Proxy and Pyth id per reference doc §1.3/§2.5; 0.5 % deviation UNCONFIRMED.',
    },
    {
      asset: 'ETH',
      chainlink: {
        proxy: '0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419',
        decimals: 8,
        heartbeatSeconds: 3600,
        deviationThreshold: 0.005,
      },
      pyth: {
        id: '0xff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace',
        maxAgeSeconds: 60,
        maxConfidenceRatio: 0.01,
      },
      maxJumpRatio: 0.5,
      maxSourceDeviation: 0.05,
      note: 'Proxy, heartbeat and Pyth id per reference doc §1.3/§2.5.',
    },
    {
      asset: 'USDC',
      chainlink: {
        proxy: '0x8fFfFfd4AfB6115b954Bd326cbe7B4BA576818f6',
        decimals: 8,
        heartbeatSeconds: 86400,
        deviationThreshold: 0.0025,
      },
      pyth: {
        id: '0xeaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a',
        maxAgeSeconds: 60,
        maxConfidenceRatio: 0.005,
      },
      maxJumpRatio: 0.1,
      maxSourceDeviation: 0.02,
      note: 'Proxy and heartbeat per reference doc §2.5; Pyth id UNCONFIRMED (third-party copies only).',
    },
    {
      asset: 'SOL',
      chainlink: {
        proxy: '0x4ffC43a60e009B551865A93d232E33Fce9f01507',
        decimals: 8,
        heartbeatSeconds: 86400,
        deviationThreshold: 0.005,
      },
      pyth: {
        id: '0xef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d',
        maxAgeSeconds: 60,
        maxConfidenceRatio: 0.01,
      },
      maxJumpRatio: 0.5,
      maxSourceDeviation: 0.05,
      note: 'CONFIGURATION, UNCONFIRMED: proxy, heartbeat, deviation and Pyth id from third-party copies.',
    },
    {
      asset: 'LINK',
      chainlink: {
        proxy: '0x2c1d072e956AFFC0D435Cb7AC38EF18d24d9127c',
        decimals: 8,
        heartbeatSeconds: 3600,
        deviationThreshold: 0.005,
      },
      pyth: {
        id: '0x8ac0c70fff57e9aefdf5edf44b51d62c2d433653cbb2cf5cc06bb115af04d221',
        maxAgeSeconds: 60,
        maxConfidenceRatio: 0.01,
      },
      maxJumpRatio: 0.5,
      maxSourceDeviation: 0.05,
      note: 'CONFIGURATION, UNCONFIRMED: proxy, heartbeat, deviation and Pyth id from third-party copies.',
    },
    {
      asset: 'USDT',
      chainlink: {
        proxy: '0x3E7d1eAB13ad0104d2750B8863b489D65364e32D',
        decimals: 8,
        heartbeatSeconds: 86400,
        deviationThreshold: 0.0025,
      },
      pyth: {
        id: '0x2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b',
        maxAgeSeconds: 60,
        maxConfidenceRatio: 0.005,
      },
      maxJumpRatio: 0.1,
      maxSourceDeviation: 0.02,
      note: 'CONFIGURATION, UNCONFIRMED: proxy, heartbeat, deviation and Pyth id from third-party copies.',
    },
    {
      asset: 'WBTC',
      pyth: {
        id: '0xc9d8b075a5c69303365ae23633d4e085199bf5c520a3b90fed1322a0342ffc33',
        maxAgeSeconds: 60,
        maxConfidenceRatio: 0.01,
      },
      maxJumpRatio: 0.5,
      maxSourceDeviation: 0.05,
      note:
        'CONFIGURATION, UNCONFIRMED Pyth id. Pyth only: Ethereum mainnet Chainlink has WBTC/BTC (a ratio), ' +
        'not WBTC/USD, so WBTC has a single source until a WBTC/BTC × BTC/USD composite feed is added.',
    },
  ],
  chainlinkStalenessMarginSeconds: 300,
  maxFutureSkewSeconds: 60,
  continuityWindowSeconds: 900,
  circuitBreaker: { failureThreshold: 3, coolDownMs: 60_000, maxCoolDownMs: 15 * 60_000 },
  sourceTimeoutMs: 10_000,
  dailyCloseLimit: 800,
};
