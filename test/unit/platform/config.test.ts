/** Runtime configuration is read once per cold start; a bad deployment fails with one message naming every problem. */
import { readStartKycAuthConfig } from '../../../shared/platform/config/kyc';
import { readPreferencesAuthConfig } from '../../../shared/platform/config/notifications';
import { readOperationsConfig } from '../../../shared/platform/config/operations';
import { readPriceSourcesConfig } from '../../../shared/platform/config/prices';
import { readRiskConfig } from '../../../shared/platform/config/risk';
import { ConfigError, readConfig } from '../../../shared/platform/config/runtime';
import { DEFAULT_RISK_PARAMS } from '../../../shared/domain/risk/engine';
import { DEFAULT_RISK_COMPUTE_CONFIG } from '../../../shared/domain/risk/config';

function problemsOf(read: (env: NodeJS.ProcessEnv) => unknown, env: NodeJS.ProcessEnv): string[] {
  try {
    read(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('configuration was accepted');
}

describe('readConfig (the platform every function runs on)', () => {
  it('names every problem at once, in one error', () => {
    const env = { ENVIRONMENT: 'production', WAREHOUSE: 'sqlite', LOG_LEVEL: 'TRACE' };
    expect(problemsOf(readConfig, env)).toEqual([
      'GOOGLE_CLOUD_PROJECT is not set',
      "ENVIRONMENT must be one of local, dev, staging, prod (got 'production')",
      "WAREHOUSE must be one of bigquery, duckdb (got 'sqlite')",
      "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR (got 'TRACE')",
    ]);
    expect(() => readConfig(env)).toThrow(
      /invalid configuration:\n {2}- GOOGLE_CLOUD_PROJECT is not set\n {2}- ENVIRONMENT/,
    );
  });

  it('defaults to the local stack with the embedded warehouse', () => {
    expect(readConfig({ GOOGLE_CLOUD_PROJECT: 'fusion-local' })).toEqual({
      projectId: 'fusion-local',
      environment: 'local',
      warehouse: 'duckdb',
      duckdbPath: ':memory:',
      bigqueryLocation: undefined,
      pubsubEmulatorHost: undefined,
      firestoreEmulatorHost: undefined,
      logLevel: 'INFO',
    });
  });

  it('uses BigQuery by default outside local, and reads every variable', () => {
    const config = readConfig({
      GCLOUD_PROJECT: 'fusion-risk-prod',
      ENVIRONMENT: 'prod',
      BIGQUERY_LOCATION: 'europe-west2',
      LOG_LEVEL: 'WARNING',
    });
    expect(config).toMatchObject({
      projectId: 'fusion-risk-prod',
      environment: 'prod',
      warehouse: 'bigquery',
      bigqueryLocation: 'europe-west2',
      logLevel: 'WARNING',
    });
  });

  it.each(['dev', 'staging', 'prod'])('refuses the embedded DuckDB warehouse in %s', (environment) => {
    expect(
      problemsOf(readConfig, { GOOGLE_CLOUD_PROJECT: 'p', ENVIRONMENT: environment, WAREHOUSE: 'duckdb' }),
    ).toEqual(['WAREHOUSE=duckdb is only for ENVIRONMENT=local']);
  });

  it('accepts BigQuery locally too', () => {
    expect(readConfig({ GOOGLE_CLOUD_PROJECT: 'p', WAREHOUSE: 'bigquery' }).warehouse).toBe('bigquery');
  });
});

describe('readRiskConfig (computePortfolioRisk)', () => {
  it('defaults to the engine’s documented parameters, which have one home', () => {
    expect(readRiskConfig({})).toEqual(DEFAULT_RISK_COMPUTE_CONFIG);
    expect(readRiskConfig({}).riskParams).toEqual(DEFAULT_RISK_PARAMS);
    expect(readRiskConfig({}).drawdownWindowDays).toBe(30);
    expect(readRiskConfig({}).riskParams).toMatchObject({
      lookbackDays: 365,
      quantileMethod: 'linear',
      horizonMethod: 'sqrt',
    });
  });

  it('reads every variable', () => {
    const c = readRiskConfig({
      RISK_SHARD_COUNT: '64',
      RISK_LOOKBACK_DAYS: '730',
      RISK_QUANTILE_METHOD: 'inverted_cdf',
      RISK_HORIZON_METHOD: 'overlapping',
      RISK_DRAWDOWN_WINDOW_DAYS: '90',
      RISK_MAX_GAP_DAYS: '0',
    });
    expect(c.shardCount).toBe(64);
    expect(c.drawdownWindowDays).toBe(90);
    expect(c.riskParams).toMatchObject({
      lookbackDays: 730,
      quantileMethod: 'inverted_cdf',
      horizonMethod: 'overlapping',
      maxGapDays: 0,
      confidences: DEFAULT_RISK_PARAMS.confidences,
    });
  });

  it('names every problem at once, and rejects fractional and out-of-range integers', () => {
    expect(
      problemsOf(readRiskConfig, {
        RISK_SHARD_COUNT: '2.5',
        RISK_LOOKBACK_DAYS: '5000',
        RISK_QUANTILE_METHOD: 'nearest',
        RISK_DRAWDOWN_WINDOW_DAYS: '0',
        RISK_MAX_GAP_DAYS: '-1',
      }),
    ).toEqual([
      "RISK_SHARD_COUNT must be an integer in [1, 4096] (got '2.5')",
      "RISK_DRAWDOWN_WINDOW_DAYS must be an integer in [1, 3650] (got '0')",
      "RISK_LOOKBACK_DAYS must be an integer in [2, 3650] (got '5000')",
      "RISK_QUANTILE_METHOD must be one of linear, inverted_cdf (got 'nearest')",
      "RISK_MAX_GAP_DAYS must be an integer in [0, 30] (got '-1')",
    ]);
  });
});

describe('readPriceSourcesConfig (ingestPrices)', () => {
  it('ingests every configured asset from Pyth’s public Hermes by default', () => {
    const c = readPriceSourcesConfig({});
    expect(c.pythHermesUrl).toBe('https://hermes.pyth.network');
    expect(c.feeds.assets.map((a) => a.asset)).toEqual(expect.arrayContaining(['BTC', 'ETH', 'USDC']));
  });

  it('requires https for Hermes outside the local stack', () => {
    expect(
      problemsOf(readPriceSourcesConfig, { ENVIRONMENT: 'prod', PYTH_HERMES_URL: 'http://hermes.example' }),
    ).toEqual(['PYTH_HERMES_URL must use https outside ENVIRONMENT=local']);
    expect(
      readPriceSourcesConfig({ ENVIRONMENT: 'local', PYTH_HERMES_URL: 'http://127.0.0.1:4001' })
        .pythHermesUrl,
    ).toBe('http://127.0.0.1:4001');
  });

  it('narrows to PRICE_ASSETS and refuses an asset without a feed or a URL that is not one', () => {
    expect(
      readPriceSourcesConfig({ PRICE_ASSETS: 'BTC, USDC', PYTH_HERMES_URL: 'http://127.0.0.1:4001' }),
    ).toMatchObject({
      pythHermesUrl: 'http://127.0.0.1:4001',
      feeds: { assets: [{ asset: 'BTC' }, { asset: 'USDC' }] },
    });
    const problems = problemsOf(readPriceSourcesConfig, {
      PRICE_ASSETS: 'BTC,DOGE',
      PYTH_HERMES_URL: 'hermes',
    });
    expect(problems[0]).toBe("PYTH_HERMES_URL must be an http(s) URL (got 'hermes')");
    expect(problems[1]).toMatch(/^PRICE_ASSETS names assets with no configured feed: DOGE \(known: BTC, /);
  });
});

describe('a deployed function never runs in local mode', () => {
  // Cloud Run sets K_SERVICE for every deployed function.
  const cloudRun = { GOOGLE_CLOUD_PROJECT: 'fusion-risk-prod', K_SERVICE: 'start-kyc' };

  it('requires ENVIRONMENT on Cloud Run instead of defaulting to local', () => {
    expect(problemsOf(readConfig, cloudRun)).toContain(
      'ENVIRONMENT is not set (required on Cloud Run: dev, staging or prod)',
    );
    expect(() => readStartKycAuthConfig(cloudRun)).toThrow(/ENVIRONMENT is not set/);
    expect(() => readPreferencesAuthConfig(cloudRun)).toThrow(/ENVIRONMENT is not set/);
    expect(() => readOperationsConfig(cloudRun)).toThrow(/ENVIRONMENT is not set/);
  });

  it('refuses ENVIRONMENT=local on Cloud Run, so local authentication and secrets cannot be switched on', () => {
    expect(problemsOf(readConfig, { ...cloudRun, ENVIRONMENT: 'local' })).toContain(
      'ENVIRONMENT=local is refused on Cloud Run (K_SERVICE is set)',
    );
    expect(() =>
      readStartKycAuthConfig({ ...cloudRun, ENVIRONMENT: 'local', KYC_START_AUTH: 'local' }),
    ).toThrow(/ENVIRONMENT=local is refused on Cloud Run/);
  });

  it('still defaults to local off Cloud Run (the local stack and tests)', () => {
    expect(readConfig({ GOOGLE_CLOUD_PROJECT: 'p' }).environment).toBe('local');
  });
});
