import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => Promise<void> | void;

/**
 * Starts a node:http server on `port` (0 = any free port). close() also ends keep-alive and deliberately
 * hung connections, and cancels pending hang timers, so a test's teardown never waits on chaos.
 */
export async function listen(
  handler: Handler,
  options: { port?: number; host?: string; timers: Set<NodeJS.Timeout> },
): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks).toString('utf8'))).catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, 'text/plain', `internal error: ${(err as Error).message}`);
        else res.destroy();
      });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      for (const t of options.timers) clearTimeout(t);
      options.timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.writableEnded) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value));
}

/** Holds the response for `ms`, then answers 504 as a gateway would; the client has usually given up. */
export function hang(res: ServerResponse, ms: number, timers: Set<NodeJS.Timeout>): void {
  const t = setTimeout(() => {
    timers.delete(t);
    send(res, 504, 'text/plain', 'gateway timeout');
  }, ms);
  timers.add(t);
}

/** A decimal number as the integer `value × 10^places` (via toFixed, so no float multiply overflow). */
export function toScaledInteger(value: number, places: number): bigint {
  const fixed = Math.abs(value).toFixed(places);
  const digits = fixed.replace('.', '');
  const n = BigInt(digits);
  return value < 0 ? -n : n;
}
