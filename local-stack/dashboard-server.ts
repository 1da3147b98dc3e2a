/**
 * Serves the built dashboard (dashboard/dist) and its runtime /config.json over node:http, for the local
 * stack and the browser tests. GET and HEAD only; a path that leaves distDir, a dotfile or a directory is a
 * 404, so nothing but the build is ever served.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

export interface DashboardRuntimeConfig {
  apiBaseUrl: string;
  auth: 'local' | 'google';
  googleClientId?: string;
  localIdentity?: string;
  deskId: string;
  shockFraction?: number;
  staleAfterSeconds?: number;
  reconnectMaxMs?: number;
  /** complianceCases' URL: the officers' page is offered only with it. */
  casesApiUrl?: string;
}

export interface DashboardServerOptions {
  distDir: string;
  config: DashboardRuntimeConfig;
  /** 0 or absent: a free port. */
  port?: number;
  host?: string;
}

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: Buffer | string,
  cache: string,
) {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': bytes.length,
    'Cache-Control': cache,
    ...SECURITY_HEADERS,
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

/** The file under root a URL path names, or null when it would leave root or names a hidden file. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  if (relative.split('/').some((part) => part.startsWith('.'))) return null;
  const file = resolve(root, relative);
  return file.startsWith(root + sep) ? file : null;
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const root = resolve(options.distDir);
  const configBody = JSON.stringify(options.config);
  const host = options.host ?? '127.0.0.1';
  const notFound = (req: IncomingMessage, res: ServerResponse) =>
    send(req, res, 404, 'text/plain; charset=utf-8', 'not found\n', 'no-store');

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return send(req, res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', 'no-store');
      }
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/config.json') return send(req, res, 200, CONTENT_TYPES['.json'], configBody, 'no-store');
      const file = resolveStaticPath(root, path);
      if (file === null) return notFound(req, res);
      try {
        const info = await stat(file);
        if (!info.isFile()) return notFound(req, res);
        const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
        // Vite's hashed assets never change; index.html must be re-read to pick up a new build.
        const cache = path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
        send(req, res, 200, type, await readFile(file), cache);
      } catch {
        notFound(req, res);
      }
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolvePort((server.address() as { port: number }).port));
  });
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
