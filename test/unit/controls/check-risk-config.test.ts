/** checkRisk's configuration: allowed callers required outside local, and the freshness bounds kept tight. */
import { readCheckRiskConfig } from '../../../shared/platform/config/controls';

const deployed = {
  ENVIRONMENT: 'prod',
  K_SERVICE: 'check-risk',
  RISK_CHECK_AUDIENCE: 'https://europe-west1-p.cloudfunctions.net/check-risk',
  RISK_CHECK_CALLERS: 'lending@p.iam.gserviceaccount.com, ops@p.iam.gserviceaccount.com',
};

describe('readCheckRiskConfig', () => {
  it('reads the callers and the defaults: 60 s reservations, stops polled every 200 ms and stale after 1 s', () => {
    expect(readCheckRiskConfig(deployed)).toEqual({
      auth: 'google',
      audience: deployed.RISK_CHECK_AUDIENCE,
      callers: ['lending@p.iam.gserviceaccount.com', 'ops@p.iam.gserviceaccount.com'],
      reservationMs: 60_000,
      stopsPollMs: 200,
      stopsMaxStalenessMs: 1000,
      pricesPollMs: 1000,
      policyRefreshMs: 10_000,
      storeTimeoutMs: 5000,
    });
  });

  it('bounds the wait for the store below the function timeout (10 s)', () => {
    expect(readCheckRiskConfig({ ...deployed, RISK_CHECK_STORE_TIMEOUT_MS: '800' }).storeTimeoutMs).toBe(800);
    expect(() => readCheckRiskConfig({ ...deployed, RISK_CHECK_STORE_TIMEOUT_MS: '10000' })).toThrow(
      /RISK_CHECK_STORE_TIMEOUT_MS must be an integer in \[100, 9000\]/,
    );
  });

  it('refuses a deployment that names no caller, or no audience, naming every problem at once', () => {
    expect(() => readCheckRiskConfig({ ENVIRONMENT: 'prod', K_SERVICE: 'check-risk' })).toThrow(
      /RISK_CHECK_AUDIENCE is not set[\s\S]*RISK_CHECK_CALLERS is not set/,
    );
  });

  it('lets every verified local caller in on the local stack', () => {
    expect(readCheckRiskConfig({ ENVIRONMENT: 'local' })).toMatchObject({ auth: 'local', callers: [] });
  });

  it('refuses a stop staleness bound above 1 s, or a poll too slow to meet it', () => {
    expect(() => readCheckRiskConfig({ ...deployed, RISK_CHECK_STOPS_MAX_STALENESS_MS: '5000' })).toThrow(
      /RISK_CHECK_STOPS_MAX_STALENESS_MS must be an integer in \[200, 1000\]/,
    );
    expect(() =>
      readCheckRiskConfig({
        ...deployed,
        RISK_CHECK_STOPS_POLL_MS: '400',
        RISK_CHECK_STOPS_MAX_STALENESS_MS: '600',
      }),
    ).toThrow(/at most half/);
  });
});
