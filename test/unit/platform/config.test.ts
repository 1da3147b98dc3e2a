/** Runtime configuration is read once per cold start; a bad deployment fails with one message naming every problem. */
import { ConfigError, readConfig } from '../../../shared/platform/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    readConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('configuration was accepted');
}

describe('readConfig', () => {
  it('names every problem at once, in one error', () => {
    const env = {
      ENVIRONMENT: 'production',
      RISK_SHARD_COUNT: '0',
      RISK_LOOKBACK_DAYS: 'a year',
      RISK_QUANTILE_METHOD: 'nearest',
      LOG_LEVEL: 'TRACE',
    };
    const problems = problemsOf(env);
    expect(problems).toEqual([
      'GOOGLE_CLOUD_PROJECT is not set',
      "ENVIRONMENT must be one of local, dev, staging, prod (got 'production')",
      "RISK_SHARD_COUNT must be an integer in [1, 4096] (got '0')",
      "RISK_LOOKBACK_DAYS must be an integer in [2, 3650] (got 'a year')",
      "RISK_QUANTILE_METHOD must be one of linear, inverted_cdf (got 'nearest')",
      "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR (got 'TRACE')",
    ]);
    expect(() => readConfig(env)).toThrow(
      /invalid configuration:\n {2}- GOOGLE_CLOUD_PROJECT is not set\n {2}- ENVIRONMENT/,
    );
  });

  it('defaults to the local stack with the embedded warehouse and the documented risk parameters', () => {
    expect(readConfig({ GOOGLE_CLOUD_PROJECT: 'fusion-local' })).toEqual({
      projectId: 'fusion-local',
      environment: 'local',
      warehouse: 'duckdb',
      duckdbPath: ':memory:',
      bigqueryLocation: undefined,
      pubsubEmulatorHost: undefined,
      firestoreEmulatorHost: undefined,
      pythHermesUrl: 'https://hermes.pyth.network',
      shardCount: 16,
      lookbackDays: 365,
      quantileMethod: 'linear',
      horizonMethod: 'sqrt',
      logLevel: 'INFO',
    });
  });

  it('uses BigQuery by default outside local, and reads every variable', () => {
    const config = readConfig({
      GCLOUD_PROJECT: 'fusion-risk-prod',
      ENVIRONMENT: 'prod',
      BIGQUERY_LOCATION: 'europe-west2',
      RISK_SHARD_COUNT: '64',
      RISK_LOOKBACK_DAYS: '730',
      RISK_QUANTILE_METHOD: 'inverted_cdf',
      RISK_HORIZON_METHOD: 'overlapping',
      LOG_LEVEL: 'WARNING',
      PYTH_HERMES_URL: 'http://127.0.0.1:4001',
    });
    expect(config).toMatchObject({
      projectId: 'fusion-risk-prod',
      environment: 'prod',
      warehouse: 'bigquery',
      bigqueryLocation: 'europe-west2',
      shardCount: 64,
      lookbackDays: 730,
      quantileMethod: 'inverted_cdf',
      horizonMethod: 'overlapping',
      logLevel: 'WARNING',
      pythHermesUrl: 'http://127.0.0.1:4001',
    });
  });

  it.each(['dev', 'staging', 'prod'])('refuses the embedded DuckDB warehouse in %s', (environment) => {
    expect(problemsOf({ GOOGLE_CLOUD_PROJECT: 'p', ENVIRONMENT: environment, WAREHOUSE: 'duckdb' })).toEqual([
      'WAREHOUSE=duckdb is only for ENVIRONMENT=local',
    ]);
  });

  it('accepts BigQuery locally too', () => {
    expect(readConfig({ GOOGLE_CLOUD_PROJECT: 'p', WAREHOUSE: 'bigquery' }).warehouse).toBe('bigquery');
  });

  it('rejects fractional and out-of-range integers', () => {
    expect(
      problemsOf({ GOOGLE_CLOUD_PROJECT: 'p', RISK_SHARD_COUNT: '2.5', RISK_LOOKBACK_DAYS: '5000' }),
    ).toEqual([
      "RISK_SHARD_COUNT must be an integer in [1, 4096] (got '2.5')",
      "RISK_LOOKBACK_DAYS must be an integer in [2, 3650] (got '5000')",
    ]);
  });
});
