/**
 * One HTTP POST to an address chosen beforehand. The socket is opened to that address only (the lookup
 * handed to node:http answers with it), while TLS SNI, certificate checks and the Host header keep the
 * URL's host name: a name re-resolved between check and connect (DNS rebinding) cannot move the request.
 * Redirects are never followed (node:http does not), and at most maxBodyBytes of the answer are read.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';

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

function post(req: PinnedRequest): Promise<PinnedResponse> {
  const { url, address, family } = req;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  // Node ≥ 20 asks with { all: true } when it races address families; either way only `address` exists.
  const pinned = ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as LookupFunction;
  const https = url.protocol === 'https:';
  return new Promise<PinnedResponse>((resolve, reject) => {
    const r = (https ? httpsRequest : httpRequest)(
      {
        method: 'POST',
        host: hostname,
        port: url.port || (https ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
        lookup: pinned,
        // A fresh connection per call: a pooled socket keyed by host name could outlive its check.
        agent: false,
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
