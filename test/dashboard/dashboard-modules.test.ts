import { parseConfig } from '../../dashboard/src/config';
import { formatFraction, formatLossUsd, formatUsd } from '../../dashboard/src/format';
import { parseRoute, portfolioHref } from '../../dashboard/src/router';

describe('dashboard config, routes and formats', () => {
  it('reads a config with its defaults and refuses a bad one with every problem', () => {
    expect(parseConfig({ apiBaseUrl: 'http://127.0.0.1:1/riskApi', auth: 'local' })).toEqual({
      apiBaseUrl: 'http://127.0.0.1:1/riskApi',
      auth: 'local',
      deskId: 'default',
      staleAfterSeconds: 180,
      reconnectMaxMs: 15_000,
    });
    expect(() => parseConfig({ apiBaseUrl: 'ftp://x', auth: 'google', shockFraction: 0.2 })).toThrow(
      /apiBaseUrl.*googleClientId.*shockFraction/,
    );
    // The local stack's automatic sign-in is for local auth only.
    expect(
      parseConfig({ apiBaseUrl: 'http://x', auth: 'local', localIdentity: 'rm@fusion-risk.local' })
        .localIdentity,
    ).toBe('rm@fusion-risk.local');
    expect(() =>
      parseConfig({ apiBaseUrl: 'http://x', auth: 'google', googleClientId: 'c', localIdentity: 'rm@x.io' }),
    ).toThrow(/localIdentity/);
  });

  it('routes by hash, encoded ids included, and falls back to the desk', () => {
    expect(parseRoute('#/portfolio/acct%2F1', 'default')).toEqual({
      page: 'portfolio',
      portfolioId: 'acct/1',
    });
    expect(parseRoute(portfolioHref('a b'), 'd')).toEqual({ page: 'portfolio', portfolioId: 'a b' });
    expect(parseRoute('#/desk/rates', 'default')).toEqual({ page: 'desk', deskId: 'rates' });
    expect(parseRoute('', 'default')).toEqual({ page: 'desk', deskId: 'default' });
    expect(parseRoute('#/portfolio/%E0%A4%A', 'default')).toEqual({ page: 'desk', deskId: 'default' });
  });

  it('formats money, losses rounded up, and shocks', () => {
    expect(formatUsd(1234.4)).toBe('$1,234');
    expect(formatLossUsd(1234.01)).toBe('$1,235');
    expect(formatFraction(-0.2)).toBe('−20 %');
  });
});
