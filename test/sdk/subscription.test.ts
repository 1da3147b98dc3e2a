import {
  AuthenticationError,
  ConnectionError,
  CursorExpiredError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RiskClient,
  type ConnectionState,
  type FeedAlert,
  type StreamPortfolio,
  type SubscribeOptions,
  type Subscription,
} from '../../sdk/src/index';
import {
  cursorAt,
  marginAlert,
  startServer,
  startStreamServer,
  waitFor,
  type StreamServer,
} from './support/http-server';

let server: StreamServer | undefined;
let subscription: Subscription | undefined;

afterEach(async () => {
  subscription?.close();
  subscription = undefined;
  await server?.close();
  server = undefined;
});

interface Recorder {
  alerts: FeedAlert[];
  cursors: string[];
  states: ConnectionState[];
  errors: { error: unknown; willRetry: boolean }[];
  portfolios: StreamPortfolio[];
}

function subscribe(
  url: string,
  options: Partial<SubscribeOptions> = {},
  token: () => string = () => 'local:a@b.c',
) {
  const recorder: Recorder = { alerts: [], cursors: [], states: ['connecting'], errors: [], portfolios: [] };
  const client = new RiskClient({ baseUrl: url, token, random: () => 1 });
  subscription = client.subscribeToAlerts({
    deskId: 'desk-1',
    backoff: { initialMs: 5, maxMs: 20 },
    onAlert: (alert, cursor) => {
      recorder.alerts.push(alert);
      recorder.cursors.push(cursor);
    },
    onPortfolio: (portfolio) => recorder.portfolios.push(portfolio),
    onStateChange: (state, previous) => {
      expect(previous).toBe(recorder.states.at(-1));
      recorder.states.push(state);
    },
    onError: (error, willRetry) => recorder.errors.push({ error, willRetry }),
    ...options,
  });
  return { recorder, subscription };
}

const ids = (alerts: FeedAlert[]) => alerts.map((a) => a.alertId);
const streamRequests = () => server!.requests.filter((r) => r.url.startsWith('/stream'));

describe('subscribeToAlerts', () => {
  it('replays, goes live at the first heartbeat, and resumes after a drop with no gap and no duplicate', async () => {
    server = await startStreamServer();
    for (const n of [1, 2, 3]) server.publish(marginAlert(n));
    const { recorder, subscription } = subscribe(server.url);
    expect(subscription.state).toBe('connecting');

    await waitFor(() => subscription.state === 'live', 'live');
    expect(ids(recorder.alerts)).toEqual(['alert-1', 'alert-2', 'alert-3']);
    expect(recorder.cursors).toEqual([cursorAt(1), cursorAt(2), cursorAt(3)]);
    server.publish(marginAlert(4));
    await waitFor(() => recorder.alerts.length === 4, 'the live alert');

    server.drop();
    await waitFor(() => subscription.state !== 'live', 'the drop to be noticed');
    server.publish(marginAlert(5)); // recorded while the client is away
    server.publish(marginAlert(6));
    await waitFor(() => recorder.alerts.length === 6 && subscription.state === 'live', 'the resync');

    expect(ids(recorder.alerts)).toEqual(['alert-1', 'alert-2', 'alert-3', 'alert-4', 'alert-5', 'alert-6']);
    expect(recorder.states).toEqual(['connecting', 'live', 'backoff', 'resyncing', 'live']);
    const [first, second] = streamRequests();
    expect(first.headers['last-event-id']).toBeUndefined();
    expect(second.headers['last-event-id']).toBe(cursorAt(4));
    expect(second.url).toBe('/stream?deskId=desk-1');
    expect(second.headers.authorization).toBe('Bearer local:a@b.c');
    expect(second.headers.accept).toBe('text/event-stream');
    expect(subscription.cursor).toBe(cursorAt(6));
    expect(recorder.errors.length).toBeGreaterThan(0); // the drop, reported as retryable
    expect(recorder.errors.every((e) => e.willRetry && e.error instanceof ConnectionError)).toBe(true);
  });

  it("resumes from a heartbeat's id, which moves past alerts filtered out for this caller", async () => {
    server = await startStreamServer();
    server.publish(marginAlert(1));
    server.publish(marginAlert(2, 'other-desk'));
    const { recorder, subscription } = subscribe(server.url);
    await waitFor(() => subscription.state === 'live', 'live');
    expect(ids(recorder.alerts)).toEqual(['alert-1']);
    expect(subscription.cursor).toBe(cursorAt(2));

    server.drop();
    await waitFor(() => streamRequests().length === 2 && subscription.state === 'live', 'the reconnect');
    expect(streamRequests()[1].headers['last-event-id']).toBe(cursorAt(2));
  });

  it('starts from the cursor it is given and sends it as Last-Event-ID, never in the URL', async () => {
    server = await startStreamServer();
    for (const n of [1, 2, 3]) server.publish(marginAlert(n));
    const { recorder, subscription } = subscribe(server.url, { cursor: cursorAt(2) });
    await waitFor(() => subscription.state === 'live', 'live');
    expect(ids(recorder.alerts)).toEqual(['alert-3']);
    expect(streamRequests()[0].headers['last-event-id']).toBe(cursorAt(2));
    expect(streamRequests()[0].url).not.toContain('cursor');
  });

  it('drops replayed alerts it already delivered and asks for a token per connection', async () => {
    server = await startStreamServer({ ignoreCursor: true });
    server.publish(marginAlert(1));
    server.publish(marginAlert(2));
    let n = 0;
    const { recorder, subscription } = subscribe(server.url, {}, () => `token-${++n}`);
    await waitFor(() => subscription.state === 'live', 'live');
    server.endStreams();
    await waitFor(() => recorder.states.length === 5, 'the second live');
    server.publish(marginAlert(3));
    await waitFor(() => recorder.alerts.length === 3, 'the new alert');
    expect(ids(recorder.alerts)).toEqual(['alert-1', 'alert-2', 'alert-3']);
    expect(streamRequests().map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('reconnects through backoff and resyncing, without an error, when the server ends the stream', async () => {
    server = await startStreamServer();
    const { recorder, subscription } = subscribe(server.url);
    await waitFor(() => subscription.state === 'live', 'live');
    server.endStreams();
    await waitFor(() => recorder.states.length === 5, 'live again');
    expect(recorder.states).toEqual(['connecting', 'live', 'backoff', 'resyncing', 'live']);
    expect(recorder.errors).toEqual([]);
  });

  it('aborts a silent stream after 2.5 × the heartbeat interval and reconnects', async () => {
    server = await startStreamServer({ intervalMs: 10 });
    const { recorder, subscription } = subscribe(server.url);
    await waitFor(() => subscription.state === 'live', 'live');
    server.goSilent();
    await waitFor(() => streamRequests().length === 2 && subscription.state === 'live', 'the reconnect');
    expect(recorder.states).toEqual(['connecting', 'live', 'backoff', 'resyncing', 'live']);
    const [timeout] = recorder.errors;
    expect(timeout.error).toBeInstanceOf(ConnectionError);
    expect(timeout.error).toMatchObject({ code: 'TIMEOUT' });
    expect(timeout.willRetry).toBe(true);
  });

  it('honours heartbeatTimeoutMs while waiting for the first heartbeat', async () => {
    const silent = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.flushHeaders(); // then nothing, ever
    });
    try {
      const { recorder, subscription } = subscribe(silent.url, { heartbeatTimeoutMs: 30 });
      await waitFor(() => silent.requests.length >= 2, 'the reconnect');
      expect(recorder.errors[0].error).toMatchObject({ name: 'ConnectionError', code: 'TIMEOUT' });
      expect(recorder.states.slice(0, 3)).toEqual(['connecting', 'backoff', 'resyncing']);
      expect(subscription.state).not.toBe('live');
    } finally {
      subscription?.close();
      await silent.close();
    }
  });

  it('retries 503 and 429 answers with backoff, then goes live', async () => {
    server = await startStreamServer({
      refusals: [
        { status: 503, body: { error: 'down', code: 'UNAVAILABLE' } },
        { status: 429, body: { error: 'slow', code: 'RATE_LIMITED' }, headers: { 'Retry-After': '0' } },
      ],
    });
    const { recorder, subscription } = subscribe(server.url);
    await waitFor(() => subscription.state === 'live', 'live');
    expect(recorder.states).toEqual(['connecting', 'backoff', 'resyncing', 'backoff', 'resyncing', 'live']);
    expect(recorder.errors.map((e) => [(e.error as { status: number }).status, e.willRetry])).toEqual([
      [503, true],
      [429, true],
    ]);
  });

  it('410 reports CursorExpiredError and closes without reconnecting', async () => {
    server = await startStreamServer({
      refusals: [{ status: 410, body: { error: 'cursor older than 14 days', code: 'CURSOR_EXPIRED' } }],
    });
    const { recorder, subscription } = subscribe(server.url, { cursor: cursorAt(1) });
    await waitFor(() => subscription.state === 'closed', 'closed');
    expect(recorder.states).toEqual(['connecting', 'closed']);
    expect(recorder.errors).toHaveLength(1);
    expect(recorder.errors[0].error).toBeInstanceOf(CursorExpiredError);
    expect(recorder.errors[0].willRetry).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(streamRequests()).toHaveLength(1);
  });

  it.each([
    [400, 'INVALID_CURSOR', InvalidRequestError],
    [401, 'UNAUTHENTICATED', AuthenticationError],
    [403, 'FORBIDDEN', PermissionError],
    [404, 'NOT_FOUND', NotFoundError],
  ])('%i is fatal', async (status, code, type) => {
    server = await startStreamServer({ refusals: [{ status, body: { error: 'no', code } }] });
    const { recorder, subscription } = subscribe(server.url);
    await waitFor(() => subscription.state === 'closed', 'closed');
    expect(recorder.errors.map((e) => [e.error instanceof type, e.willRetry])).toEqual([[true, false]]);
    expect(streamRequests()).toHaveLength(1);
  });

  it('resumes when the server restarts on the same port', async () => {
    server = await startStreamServer();
    server.publish(marginAlert(1));
    const { recorder, subscription } = subscribe(server.url);
    await waitFor(() => subscription.state === 'live', 'live');
    const { port, log } = server;
    await server.close();
    await waitFor(() => recorder.errors.length >= 2, 'refused reconnects');
    server = await startStreamServer({ port });
    for (const alert of [...log, marginAlert(2), marginAlert(3)]) server.publish(alert);
    await waitFor(() => recorder.alerts.length === 3 && subscription.state === 'live', 'the resync');
    expect(ids(recorder.alerts)).toEqual(['alert-1', 'alert-2', 'alert-3']);
    expect(server.requests[0].headers['last-event-id']).toBe(cursorAt(1));
  });

  it('delivers portfolio hints with their desk', async () => {
    server = await startStreamServer();
    const { recorder, subscription } = subscribe(server.url);
    await waitFor(() => subscription.state === 'live', 'live');
    server.sendPortfolio({ portfolioId: 'p-1', deskId: 'desk-1', state: 'WARNING' });
    await waitFor(() => recorder.portfolios.length === 1, 'the portfolio');
    expect(recorder.portfolios[0]).toMatchObject({ portfolioId: 'p-1', deskId: 'desk-1' });
    expect(subscription.cursor).toBeUndefined(); // a portfolio event has no id
  });

  it('keeps streaming when onAlert throws, reporting the error', async () => {
    server = await startStreamServer();
    server.publish(marginAlert(1));
    server.publish(marginAlert(2));
    const delivered: string[] = [];
    const { recorder, subscription } = subscribe(server.url, {
      onAlert: (alert) => {
        delivered.push(alert.alertId);
        if (alert.alertId === 'alert-1') throw new Error('app bug');
      },
    });
    await waitFor(() => subscription.state === 'live', 'live');
    expect(delivered).toEqual(['alert-1', 'alert-2']);
    expect(recorder.errors.map((e) => (e.error as Error).message)).toEqual(['app bug']);
  });

  it('close() ends the connection and every timer', async () => {
    server = await startStreamServer();
    const { recorder, subscription } = subscribe(server.url);
    await waitFor(() => subscription.state === 'live', 'live');
    subscription.close();
    subscription.close(); // idempotent
    expect(recorder.states).toEqual(['connecting', 'live', 'closed']);
    await waitFor(() => server!.openStreams() === 0, 'the server to see the close');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(streamRequests()).toHaveLength(1);
    expect(recorder.errors).toEqual([]);
  });

  it('close() during backoff stops the reconnects', async () => {
    server = await startStreamServer({
      refusals: Array(100).fill({ status: 503, body: { error: 'down', code: 'UNAVAILABLE' } }),
    });
    const { subscription } = subscribe(server.url, { backoff: { initialMs: 1000, maxMs: 1000 } });
    await waitFor(() => subscription.state === 'backoff', 'backoff');
    subscription.close();
    expect(subscription.state).toBe('closed');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(streamRequests()).toHaveLength(1);
  });

  it('an AbortSignal closes the subscription', async () => {
    server = await startStreamServer();
    const controller = new AbortController();
    const { subscription } = subscribe(server.url, { signal: controller.signal });
    await waitFor(() => subscription.state === 'live', 'live');
    controller.abort();
    expect(subscription.state).toBe('closed');
    await waitFor(() => server!.openStreams() === 0, 'the server to see the close');
  });

  it('validates its options', () => {
    const client = new RiskClient({ baseUrl: 'http://127.0.0.1:1', token: 't' });
    expect(() => client.subscribeToAlerts({} as SubscribeOptions)).toThrow(/onAlert/);
    expect(() => client.subscribeToAlerts({ onAlert: () => undefined, deskId: '' })).toThrow(/deskId/);
  });
});
