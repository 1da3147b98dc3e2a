import { ALL_DESKS, readRiskApiConfig } from '../../../shared/platform/config/risk-api';
import { ConfigError } from '../../../shared/platform/config/runtime';
import { CallerRateLimiter } from '../../../shared/use-cases/caller-rate-limit';
import { deskAccessOf } from '../../../functions/risk-api/wiring';

const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    readRiskApiConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('riskApi configuration', () => {
  it('reads who reads which desk, and lets a * read every desk', () => {
    const c = readRiskApiConfig({ ENVIRONMENT: 'local', RISK_API_ACCESS: 'a@x.io=desk-1|desk-2; b@x.io=*' });
    expect([...(c.access.get('a@x.io') ?? [])]).toEqual(['desk-1', 'desk-2']);
    expect(c.access.get('b@x.io')?.has(ALL_DESKS)).toBe(true);
    const access = deskAccessOf(c);
    expect(access.canRead({ id: 'a@x.io' }, 'desk-2')).toBe(true);
    expect(access.canRead({ id: 'a@x.io' }, 'desk-3')).toBe(false);
    expect(access.readsAll({ id: 'a@x.io' })).toBe(false);
    expect(access.readsAll({ id: 'b@x.io' })).toBe(true);
    expect(access.canRead({ id: 'stranger@x.io' }, 'desk-1')).toBe(false);
  });

  it('lets every verified caller read everything only on the local stack with no access configured', () => {
    expect(readRiskApiConfig({ ENVIRONMENT: 'local' }).openAccess).toBe(true);
    const prod = readRiskApiConfig({
      ENVIRONMENT: 'prod',
      K_SERVICE: 'riskApi',
      RISK_API_AUDIENCE: 'client-id',
    });
    expect(prod.openAccess).toBe(false);
    expect(deskAccessOf(prod).canRead({ id: 'anyone@x.io' }, 'default')).toBe(false);
  });

  it('reports every mistake at once', () => {
    expect(
      problems({
        ENVIRONMENT: 'prod',
        K_SERVICE: 'riskApi',
        RISK_API_ACCESS: 'not-an-email=desk;c@x.io=bad desk;d@x.io',
        RISK_API_ALLOWED_ORIGINS: 'http://risk.example,https://risk.example/path',
        RISK_API_SHOCK_FRACTION: '0.3',
        RISK_API_STABLE_ASSETS: 'usdc',
      }),
    ).toEqual([
      'RISK_API_AUDIENCE is not set (required with RISK_API_AUTH=google)',
      "RISK_API_ACCESS: 'not-an-email' is not an e-mail",
      "RISK_API_ACCESS: 'bad desk' is not a desk id",
      "RISK_API_ACCESS: 'd@x.io' is not identity=desk|desk",
      "RISK_API_ALLOWED_ORIGINS: 'http://risk.example' is not an https origin (scheme://host[:port])",
      "RISK_API_ALLOWED_ORIGINS: 'https://risk.example/path' is not an https origin (scheme://host[:port])",
      "RISK_API_SHOCK_FRACTION must be a number in [-0.99, 0] (got '0.3')",
      "RISK_API_STABLE_ASSETS: 'usdc' is not an asset",
    ]);
  });
});

describe('CallerRateLimiter', () => {
  it('allows the burst, then one request per refill interval, per caller', () => {
    const l = new CallerRateLimiter(60, 2); // one a second, bursts of two
    expect([l.take('a', 0).allowed, l.take('a', 0).allowed, l.take('a', 0).allowed]).toEqual([
      true,
      true,
      false,
    ]);
    expect(l.take('a', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(l.take('b', 0).allowed).toBe(true);
    expect(l.take('a', 1_000).allowed).toBe(true);
    expect(l.take('a', 1_000).allowed).toBe(false);
  });
});
