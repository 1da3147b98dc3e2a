import {
  AuthenticationError,
  ConnectionError,
  CursorExpiredError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
  RiskApiError,
  RiskClient,
  ServiceUnavailableError,
  type CheckRiskResponse,
  type RiskClientOptions,
} from '../../sdk/src/index';
import { marginAlert, sendJson, startServer, type TestServer } from './support/http-server';

const TOKEN = 'local:analyst@example.com';

const portfolioView = {
  portfolioId: 'p/1 α',
  deskId: 'desk-1',
  tickId: 't-9',
  asOf: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:01.000Z',
  collateralUsd: 1500,
  borrowUsd: 1000,
  health: {
    score: 50,
    state: 'WARNING',
    thresholds: { warning: 60, marginCall: 30, liquidation: 10 },
    recoveryBand: 5,
  },
  exposures: [
    {
      asset: 'ETH',
      priceUsd: 3000,
      netAmount: 0.5,
      netUsd: 1500,
      collateralAmount: 0.5,
      borrowAmount: 0,
    },
  ],
  liquidationPrices: [
    {
      asset: 'ETH',
      side: 'collateral',
      priceUsd: 2200,
      direction: 'falls',
      currentPriceUsd: 3000,
      changeFraction: -0.2667,
    },
  ],
  risk: {
    lookbackDays: 250,
    scenarios: 250,
    quantileMethod: 'linear',
    horizonMethod: 'sqrt',
    figures: [{ confidence: 0.99, horizonDays: 1, varUsd: 120, esUsd: 150 }],
  },
};

const checkRiskAnswer: CheckRiskResponse = {
  decisionId: 'd-1',
  requestId: 'set-by-server',
  decision: 'DENY',
  reasons: [{ code: 'HARD_LIMIT', message: 'leverage above 3' }],
  violations: [],
  warnings: [],
  stop: { state: 'ACTIVE', scopeKey: null, engagedBy: null, reason: null },
  post: { healthScore: 10, leverage: 4, equityUsd: 100 },
  decidedAt: '2025-01-01T00:00:00.000Z',
};

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function clientFor(url: string, options: Partial<RiskClientOptions> = {}) {
  const sleeps: number[] = [];
  const client = new RiskClient({
    baseUrl: `${url}/riskApi/`,
    checkRiskUrl: `${url}/checkRisk`,
    token: TOKEN,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { client, sleeps };
}

describe('RiskClient GET methods', () => {
  beforeEach(async () => {
    server = await startServer((req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      if (path.startsWith('/riskApi/desks/')) {
        return sendJson(res, 200, { deskId: 'desk 1/a', portfolios: [] });
      }
      if (path.endsWith('/exposure-history')) {
        return sendJson(res, 200, { portfolioId: 'p/1 α', asOf: null, windowHours: 24, points: [] });
      }
      if (path.startsWith('/riskApi/portfolios/')) return sendJson(res, 200, portfolioView);
      if (path === '/riskApi/alerts') {
        return sendJson(res, 200, {
          asOf: 'now',
          cursor: 'c-2',
          retentionDays: 14,
          alerts: [marginAlert(1)],
        });
      }
      sendJson(res, 404, { error: 'no such path', code: 'NOT_FOUND' });
    });
  });

  it('getDeskOverview encodes the desk id, sends the shock and the bearer token', async () => {
    const { client } = clientFor(server!.url);
    const desk = await client.getDeskOverview('desk 1/a', { shock: -0.3 });
    expect(desk.deskId).toBe('desk 1/a');
    const [request] = server!.requests;
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/riskApi/desks/desk%201%2Fa?shock=-0.3');
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.headers.accept).toBe('application/json');
  });

  it('getDeskOverview without a shock sends no query string', async () => {
    const { client } = clientFor(server!.url);
    await client.getDeskOverview('desk-1');
    expect(server!.requests[0].url).toBe('/riskApi/desks/desk-1');
  });

  it('getPortfolio decodes the view; the derived views keep their slice and asOf', async () => {
    const { client } = clientFor(server!.url);
    expect(await client.getPortfolio('p/1 α')).toEqual(portfolioView);
    expect(server!.requests[0].url).toBe('/riskApi/portfolios/p%2F1%20%CE%B1');

    expect(await client.getPortfolioExposure('p/1 α')).toEqual({
      portfolioId: 'p/1 α',
      asOf: portfolioView.asOf,
      exposures: portfolioView.exposures,
    });
    expect(await client.getMarginHealth('p/1 α')).toEqual({
      portfolioId: 'p/1 α',
      asOf: portfolioView.asOf,
      health: portfolioView.health,
      liquidationPrices: portfolioView.liquidationPrices,
      collateralUsd: 1500,
      borrowUsd: 1000,
    });
    expect(await client.getVar('p/1 α')).toEqual({
      portfolioId: 'p/1 α',
      asOf: portfolioView.asOf,
      risk: portfolioView.risk,
    });
    expect(server!.requests.map((r) => r.url)).toEqual(Array(4).fill('/riskApi/portfolios/p%2F1%20%CE%B1'));
  });

  it('getExposureHistory reads the history path', async () => {
    const { client } = clientFor(server!.url);
    const history = await client.getExposureHistory('p/1 α');
    expect(history.windowHours).toBe(24);
    expect(server!.requests[0].url).toBe('/riskApi/portfolios/p%2F1%20%CE%B1/exposure-history');
  });

  it('listAlerts sends every filter as a query parameter and decodes the page', async () => {
    const { client } = clientFor(server!.url);
    const page = await client.listAlerts({ deskId: 'desk-1', portfolioId: 'p 1', cursor: 'c~1', limit: 50 });
    expect(page.cursor).toBe('c-2');
    expect(page.alerts[0].source).toBe('alerts.margin.v1');
    const url = new URL(server!.requests[0].url, 'http://x');
    expect(url.pathname).toBe('/riskApi/alerts');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      deskId: 'desk-1',
      portfolioId: 'p 1',
      cursor: 'c~1',
      limit: '50',
    });
  });

  it('listAlerts asks for the newest alerts with latest, never together with a cursor', async () => {
    const { client } = clientFor(server!.url);
    await client.listAlerts({ deskId: 'desk-1', latest: true, limit: 20 });
    const url = new URL(server!.requests[0].url, 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({ deskId: 'desk-1', latest: 'true', limit: '20' });
    await expect(client.listAlerts({ latest: true, cursor: 'c~1' })).rejects.toThrow(/latest and cursor/);
    expect(server!.requests).toHaveLength(1);
  });

  it('asks a token function before every request', async () => {
    let n = 0;
    const { client } = clientFor(server!.url, { token: async () => `token-${++n}` });
    await client.getDeskOverview('d');
    await client.getDeskOverview('d');
    expect(server!.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('validates inputs before sending anything', async () => {
    const { client } = clientFor(server!.url);
    await expect(client.getPortfolio('')).rejects.toThrow(
      new TypeError('portfolioId must be a non-empty string'),
    );
    await expect(client.getDeskOverview('  ')).rejects.toThrow(TypeError);
    await expect(client.getDeskOverview('d', { shock: 0.5 })).rejects.toThrow(/shock/);
    await expect(client.listAlerts({ limit: 0 })).rejects.toThrow(/limit/);
    await expect(client.listAlerts({ limit: 2.5 })).rejects.toThrow(/limit/);
    await expect(client.getExposureHistory(undefined as unknown as string)).rejects.toThrow(/portfolioId/);
    expect(() => new RiskClient({ baseUrl: 'localhost:8080', token: TOKEN })).toThrow(/baseUrl/);
    expect(() => new RiskClient({ baseUrl: 'http://h', token: '' })).toThrow(/token/);
    expect(server!.requests).toHaveLength(0);
  });
});

describe('RiskClient errors', () => {
  const cases = [
    { status: 400, code: 'INVALID_REQUEST', type: InvalidRequestError, problems: ['limit: must be <= 500'] },
    { status: 400, code: 'INVALID_CURSOR', type: InvalidRequestError },
    { status: 401, code: 'UNAUTHENTICATED', type: AuthenticationError },
    { status: 403, code: 'FORBIDDEN', type: PermissionError },
    { status: 404, code: 'NOT_FOUND', type: NotFoundError },
    { status: 410, code: 'CURSOR_EXPIRED', type: CursorExpiredError },
    { status: 429, code: 'RATE_LIMITED', type: RateLimitedError },
    { status: 503, code: 'UNAVAILABLE', type: ServiceUnavailableError },
    { status: 500, code: 'INTERNAL', type: ServiceUnavailableError },
    { status: 405, code: 'METHOD_NOT_ALLOWED', type: RiskApiError },
  ] as const;

  it.each(cases)('maps $status $code to $type.name', async ({ status, code, type, ...rest }) => {
    const problems = 'problems' in rest ? rest.problems : undefined;
    server = await startServer((_req, res) =>
      sendJson(res, status, { error: `refused (${TOKEN})`, code, problems, retryAfterSeconds: 7 }),
    );
    const { client } = clientFor(server.url, { maxRetries: 0 });
    const error = await client.listAlerts({ cursor: 'c' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(RiskApiError);
    const apiError = error as RiskApiError;
    expect(apiError.name).toBe(type.name);
    expect(apiError.status).toBe(status);
    expect(apiError.code).toBe(code);
    expect(apiError.problems).toEqual(problems ?? []);
    expect(apiError.retryAfterSeconds).toBe(7);
    expect(apiError.requestUrl).toBe(`${server.url}/riskApi/alerts?cursor=c`);
    // A server that echoes the token must not get it into logs through the SDK.
    expect(apiError.message).toContain('[redacted]');
    expect(apiError.message).not.toContain(TOKEN);
  });

  it('reads a non-JSON error body (a proxy page) as its status', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });
    const { client } = clientFor(server.url, { maxRetries: 0 });
    const error = (await client.getPortfolio('p').catch((e: unknown) => e)) as RiskApiError;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.status).toBe(502);
  });

  it('rejects a 200 that is not JSON', async () => {
    server = await startServer((_req, res) => res.end('not json'));
    const { client } = clientFor(server.url);
    await expect(client.getPortfolio('p')).rejects.toMatchObject({ code: 'INVALID_RESPONSE', status: 200 });
    expect(server.requests).toHaveLength(1);
  });

  it.each([400, 401, 403, 404, 410])('never retries %i', async (status) => {
    server = await startServer((_req, res) => sendJson(res, status, { error: 'no', code: 'FORBIDDEN' }));
    const { client, sleeps } = clientFor(server.url, { maxRetries: 5 });
    await expect(client.getPortfolio('p')).rejects.toBeInstanceOf(RiskApiError);
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('RiskClient retries', () => {
  function failThen(statuses: number[], headers: Record<string, string> = {}) {
    return startServer((req, res) => {
      const status = statuses[Math.min(statuses.length - 1, (server?.requests.length ?? 1) - 1)];
      if (status === 200) return sendJson(res, 200, portfolioView);
      sendJson(
        res,
        status,
        { error: 'busy', code: status === 429 ? 'RATE_LIMITED' : 'UNAVAILABLE' },
        headers,
      );
    });
  }

  it('waits Retry-After seconds after a 429, then succeeds', async () => {
    server = await failThen([429, 429, 200], { 'Retry-After': '3' });
    const { client, sleeps } = clientFor(server.url);
    expect((await client.getPortfolio('p')).tickId).toBe('t-9');
    expect(sleeps).toEqual([3000, 3000]);
    expect(server.requests).toHaveLength(3);
  });

  it('takes a 429 body retryAfterSeconds when the header is missing', async () => {
    server = await startServer((_req, res) =>
      server!.requests.length === 1
        ? sendJson(res, 429, { error: 'slow down', code: 'RATE_LIMITED', retryAfterSeconds: 2 })
        : sendJson(res, 200, portfolioView),
    );
    const { client, sleeps } = clientFor(server.url);
    await client.getPortfolio('p');
    expect(sleeps).toEqual([2000]);
  });

  it.each([502, 503, 504])('retries %i with full-jitter backoff', async (status) => {
    server = await failThen([status, status, 200]);
    const { client, sleeps } = clientFor(server.url, { random: () => 0.5 });
    await client.getPortfolio('p');
    // random() × min(cap, 250 ms × 2^attempt)
    expect(sleeps).toEqual([125, 250]);
  });

  it('keeps every delay within [0, min(5 s, base × 2^attempt)] and gives up after maxRetries', async () => {
    server = await failThen([503]);
    const upper = clientFor(server.url, { random: () => 0.999999, maxRetries: 6 });
    await expect(upper.client.getPortfolio('p')).rejects.toBeInstanceOf(ServiceUnavailableError);
    const bounds = [250, 500, 1000, 2000, 4000, 5000];
    expect(upper.sleeps).toHaveLength(6);
    upper.sleeps.forEach((ms, attempt) => {
      expect(ms).toBeLessThan(bounds[attempt]);
      expect(ms).toBeGreaterThan(bounds[attempt] * 0.99);
    });
    const lower = clientFor(server.url, { random: () => 0, maxRetries: 2 });
    await expect(lower.client.getPortfolio('p')).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(lower.sleeps).toEqual([0, 0]);
    expect(server.requests).toHaveLength(7 + 3);
  });

  it('does not retry a 500 INTERNAL', async () => {
    server = await failThen([500, 200]);
    const { client } = clientFor(server.url);
    await expect(client.getPortfolio('p')).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a refused connection and reports a ConnectionError without the token', async () => {
    const gone = await startServer(() => undefined);
    await gone.close();
    const { client, sleeps } = clientFor(gone.url);
    const error = (await client.getPortfolio('p').catch((e: unknown) => e)) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe('CONNECTION_FAILED');
    expect(error.status).toBe(0);
    expect(error.message).not.toContain(TOKEN);
    expect(sleeps).toEqual([125, 250]);
  });

  it('retries a stale keep-alive socket reset at once, without counting it as a retry', async () => {
    server = await startServer((req, res, raw) => {
      if (server!.requests.length === 1) return raw.socket.destroy();
      sendJson(res, 200, portfolioView);
    });
    const { client, sleeps } = clientFor(server.url, { maxRetries: 0 });
    expect((await client.getPortfolio('p')).portfolioId).toBe('p/1 α');
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });

  it('times out a server that never answers', async () => {
    server = await startServer(() => undefined);
    const { client } = clientFor(server.url, { timeoutMs: 30, maxRetries: 1 });
    await expect(client.getPortfolio('p')).rejects.toMatchObject({
      name: 'ConnectionError',
      code: 'TIMEOUT',
    });
    expect(server.requests).toHaveLength(2);
  });
});

describe('RiskClient.checkRisk', () => {
  const request = { portfolioId: 'p-1', action: 'borrow', asset: 'USDC', amount: 1000 } as const;

  it('generates one requestId, reuses it on every retry and sends it as the Idempotency-Key', async () => {
    server = await startServer((_req, res) =>
      server!.requests.length < 3
        ? sendJson(res, 503, { error: 'store unavailable', code: 'UNAVAILABLE' })
        : sendJson(res, 200, checkRiskAnswer),
    );
    const { client } = clientFor(server.url);
    const answer = await client.checkRisk(request);
    expect(answer.decision).toBe('DENY'); // a denial is an answer, not an error
    expect(server.requests).toHaveLength(3);
    const ids = server.requests.map((r) => (JSON.parse(r.body) as { requestId: string }).requestId);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(1);
    for (const r of server.requests) {
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/checkRisk');
      expect(r.headers['idempotency-key']).toBe(ids[0]);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(JSON.parse(r.body)).toEqual({ ...request, requestId: ids[0] });
    }
  });

  it('generates a new requestId per call', async () => {
    server = await startServer((_req, res) => sendJson(res, 200, checkRiskAnswer));
    const { client } = clientFor(server.url);
    await client.checkRisk(request);
    await client.checkRisk(request);
    const [a, b] = server.requests.map((r) => r.headers['idempotency-key']);
    expect(a).not.toBe(b);
  });

  it("keeps the caller's requestId and returns it on a final 503 to retry with", async () => {
    server = await startServer((_req, res) => sendJson(res, 503, { error: 'down', code: 'UNAVAILABLE' }));
    const { client } = clientFor(server.url, { maxRetries: 1 });
    const error = (await client.checkRisk({ ...request, requestId: 'req-42' }).catch((e: unknown) => e)) as
      ServiceUnavailableError | undefined;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error?.requestId).toBe('req-42');
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['req-42', 'req-42']);
  });

  it('needs checkRiskUrl and a valid request', async () => {
    const client = new RiskClient({ baseUrl: 'http://127.0.0.1:1/riskApi', token: TOKEN });
    await expect(client.checkRisk(request)).rejects.toThrow(/checkRiskUrl/);
    const { client: configured } = clientFor('http://127.0.0.1:1');
    await expect(configured.checkRisk({ ...request, amount: -1 })).rejects.toThrow(/amount/);
    await expect(configured.checkRisk({ ...request, portfolioId: '' })).rejects.toThrow(/portfolioId/);
  });
});
