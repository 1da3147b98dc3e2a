/**
 * Real HTTP servers for the SDK tests: a scripted one for request/response behaviour and a riskApi-like
 * alert stream that keeps a log and replays after the cursor it receives, as the contract describes.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FeedAlert } from '../../../sdk/src/index';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

type Handler = (req: RecordedRequest, res: ServerResponse, raw: IncomingMessage) => void;

export async function startServer(handler: Handler, port = 0): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((raw, res) => {
    let body = '';
    raw.setEncoding('utf8');
    raw.on('data', (chunk: string) => (body += chunk));
    raw.on('end', () => {
      const request = { method: raw.method ?? '', url: raw.url ?? '', headers: raw.headers, body };
      requests.push(request);
      handler(request, res, raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A cursor in the feed's real shape, so text order is feed order. */
export function cursorAt(n: number): string {
  return `${String(1_700_000_000 + n).padStart(12, '0')}.${String(n).padStart(9, '0')}~alert-${n}`;
}

export function marginAlert(n: number, deskId = 'desk-1'): FeedAlert {
  return {
    source: 'alerts.margin.v1',
    cursor: cursorAt(n),
    alertId: `alert-${n}`,
    kind: 'MARGIN_CALL',
    severity: 'WARNING',
    subject: `portfolio p-${n} entered MARGIN_CALL`,
    deskId,
    portfolioId: `p-${n}`,
    recordedAt: new Date(1_700_000_000_000 + n * 1000).toISOString(),
    alert: {
      eventId: `e-${n}`,
      portfolioId: `p-${n}`,
      fromState: 'WARNING',
      toState: 'MARGIN_CALL',
      healthScore: 12,
      tickId: `t-${n}`,
      asOf: new Date(1_700_000_000_000 + n * 1000).toISOString(),
      collateralUsd: 1120,
      borrowUsd: 1000,
      severity: 'WARNING',
    },
  };
}

export interface StreamServerOptions {
  deskId?: string;
  intervalMs?: number;
  /** Ignore Last-Event-ID and replay the whole log (a misbehaving server, for the duplicate guard). */
  ignoreCursor?: boolean;
  /** Answer the next connections with these errors before streaming. */
  refusals?: { status: number; body: unknown; headers?: http.OutgoingHttpHeaders }[];
  port?: number;
}

export interface StreamServer extends TestServer {
  log: FeedAlert[];
  /** Record an alert and send it to every open stream whose filter it passes. */
  publish(alert: FeedAlert): void;
  sendPortfolio(portfolio: unknown): void;
  /** Destroy every open stream's socket (a network drop). */
  drop(): void;
  /** End every open stream cleanly (the server's periodic close). */
  endStreams(): void;
  /** Stop writing anything, heartbeats included, on the open streams. */
  goSilent(): void;
  openStreams(): number;
}

interface OpenStream {
  res: ServerResponse;
  deskId: string | null;
  silent: boolean;
  timer?: ReturnType<typeof setInterval>;
}

export async function startStreamServer(options: StreamServerOptions = {}): Promise<StreamServer> {
  const log: FeedAlert[] = [];
  const streams = new Set<OpenStream>();
  const refusals = [...(options.refusals ?? [])];
  const intervalMs = options.intervalMs ?? 20;

  const heartbeat = (stream: OpenStream, position: string | undefined) => {
    const id = position ? `id: ${position}\n` : '';
    stream.res.write(
      `event: heartbeat\n${id}data: ${JSON.stringify({ asOf: new Date().toISOString(), intervalMs })}\n\n`,
    );
  };
  const visible = (stream: OpenStream, alert: FeedAlert) => !stream.deskId || alert.deskId === stream.deskId;
  const writeAlert = (stream: OpenStream, alert: FeedAlert) =>
    stream.res.write(`event: alert\nid: ${alert.cursor}\ndata: ${JSON.stringify(alert)}\n\n`);

  const server = await startServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname !== '/stream') return sendJson(res, 404, { error: 'no such path', code: 'NOT_FOUND' });
    if (!req.headers.authorization?.startsWith('Bearer ')) {
      return sendJson(res, 401, { error: 'no token', code: 'UNAUTHENTICATED' });
    }
    const refusal = refusals.shift();
    if (refusal) return sendJson(res, refusal.status, refusal.body, refusal.headers);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    const stream: OpenStream = { res, deskId: url.searchParams.get('deskId'), silent: false };
    streams.add(stream);
    res.on('close', () => {
      clearInterval(stream.timer);
      streams.delete(stream);
    });
    const after = options.ignoreCursor ? undefined : (req.headers['last-event-id'] as string | undefined);
    let position = after;
    for (const alert of log) {
      if (after !== undefined && alert.cursor <= after) continue;
      position = alert.cursor; // the heartbeat's id moves past alerts this caller cannot see
      if (visible(stream, alert)) writeAlert(stream, alert);
    }
    heartbeat(stream, position);
    stream.timer = setInterval(() => {
      if (!stream.silent) heartbeat(stream, log.at(-1)?.cursor ?? after);
    }, intervalMs);
  }, options.port);

  return {
    ...server,
    log,
    publish(alert) {
      log.push(alert);
      for (const stream of streams) if (!stream.silent && visible(stream, alert)) writeAlert(stream, alert);
    },
    sendPortfolio(portfolio) {
      for (const stream of streams)
        stream.res.write(`event: portfolio\ndata: ${JSON.stringify(portfolio)}\n\n`);
    },
    drop() {
      for (const stream of streams) stream.res.socket?.destroy();
    },
    endStreams() {
      for (const stream of streams) stream.res.end();
    },
    goSilent() {
      for (const stream of streams) stream.silent = true;
    },
    openStreams: () => streams.size,
    close: async () => {
      for (const stream of streams) clearInterval(stream.timer);
      await server.close();
    },
  };
}

/** Polls until the condition holds; a deadline, not a timing assertion. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
