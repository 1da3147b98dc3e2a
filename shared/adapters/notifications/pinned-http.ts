/**
 * One HTTP POST to an address chosen beforehand. The socket is opened to that address only (the lookup
 * handed to node:http answers with it), while TLS SNI, certificate checks and the Host header keep the
 * URL's host name: a name re-resolved between check and connect (DNS rebinding) cannot move the request.
 * Redirects are never followed (node:http does not), and at most maxBodyBytes of the answer are read.
 *
 * Connections are kept alive per checked address: a pooled socket is reused only by a request whose own check
 * pinned the same address for the same host and port, so a socket can never carry a request to an address that
 * request did not check. Without the pool every webhook paid a new connection (a TLS handshake in production).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { BoundedMap } from '../../platform/bounded-map';

export interface PinnedRequest {
  url: URL;
  /** The checked address the socket must connect to. */
  address: string;
  family: 4 | 6;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  maxBodyBytes: number;
}

export interface PinnedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** At most maxBodyBytes, decoded as UTF-8. */
  body: string;
  /** More was sent than was read; the rest was discarded and the connection closed. */
  truncated: boolean;
}

/** Makes the connection; a test double records what would have been connected to. */
export interface WebhookTransport {
  post(req: PinnedRequest): Promise<PinnedResponse>;
}

export const pinnedHttpTransport: WebhookTransport = { post };

/** Connections open at once to one endpoint (per checked address). */
export const MAX_SOCKETS_PER_POOL = 32;
/** A kept connection idle this long is closed: 256 pools of 32 must not pin thousands of sockets for good. */
export const IDLE_SOCKET_MS = 30_000;
/** Pools per checked address, the least recently used closed beyond this many (endpoints are per recipient). */
export const MAX_PINNED_POOLS = 256;
const pools = new BoundedMap<string, HttpAgent>(MAX_PINNED_POOLS, (agent) => agent.destroy());

/** The keep-alive pool for one host, port and checked address; most recently used last. */
export function pinnedPool(
  https: boolean,
  hostname: string,
  port: string | number,
  address: string,
): HttpAgent {
  const key = `${https ? 'https' : 'http'}|${hostname}|${port}|${address}`;
  const pooled = pools.use(key);
  if (pooled) return pooled;
  // Every socket a burst opened stays for the next burst: with fewer kept than opened, each alert storm to one
  // endpoint paid a new connection (a TLS handshake in production) per webhook above the kept number.
  const options = {
    keepAlive: true,
    maxSockets: MAX_SOCKETS_PER_POOL,
    maxFreeSockets: MAX_SOCKETS_PER_POOL,
    // Applies to kept sockets only: the agent closes a free one on timeout; a request in flight has its own signal.
    timeout: IDLE_SOCKET_MS,
    scheduling: 'lifo' as const,
  };
  const agent = https ? new HttpsAgent(options) : new HttpAgent(options);
  pools.set(key, agent);
  return agent;
}

/** Closes every pooled connection (tests, shutdown). */
export function closePinnedPools(): void {
  pools.clear();
}

function post(req: PinnedRequest): Promise<PinnedResponse> {
  const { url, address, family } = req;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  // Node ≥ 20 asks with { all: true } when it races address families; either way only `address` exists.
  const pinned = ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as LookupFunction;
  const https = url.protocol === 'https:';
  const port = url.port || (https ? 443 : 80);
  return new Promise<PinnedResponse>((resolve, reject) => {
    const r = (https ? httpsRequest : httpRequest)(
      {
        method: 'POST',
        host: hostname,
        port,
        path: `${url.pathname}${url.search}`,
        headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
        lookup: pinned,
        // Node's own pool is keyed by host name, which could hand over a socket to an address checked for
        // someone else's request; this one is keyed by the checked address too.
        agent: pinnedPool(https, hostname, port, address),
        ...(https && !isIP(hostname) ? { servername: hostname } : {}),
        signal: req.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let read = 0;
        let truncated = false;
        const done = () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            truncated,
          });
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          const room = req.maxBodyBytes - read;
          chunks.push(chunk.subarray(0, Math.max(0, room)));
          read += Math.min(chunk.length, Math.max(0, room));
          if (chunk.length > room) {
            // Stop reading: the status is known, the rest of a huge body is not wanted.
            truncated = true;
            res.destroy();
            done();
          }
        });
        res.on('end', done);
        res.on('error', (err) => (truncated ? undefined : reject(err)));
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}
