import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboardServer, type DashboardServer } from '../../local-stack/dashboard-server';

/** A raw request: fetch would normalise the `..` segments away before they reach the server. */
function raw(server: DashboardServer, path: string, method = 'GET') {
  return new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard static server', () => {
  const base = mkdtempSync(join(tmpdir(), 'dashboard-server-'));
  const dist = join(base, 'dist');
  let server: DashboardServer;
  const config = { apiBaseUrl: 'http://127.0.0.1:9/riskApi', auth: 'local' as const, deskId: 'default' };

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(dist, 'assets', 'app.js'), 'export {};');
    writeFileSync(join(dist, 'assets', 'app.css'), 'body{}');
    writeFileSync(join(dist, '.env'), 'SECRET=1');
    writeFileSync(join(base, 'outside.txt'), 'outside');
    server = await startDashboardServer({ distDir: dist, config });
  });
  afterAll(async () => {
    await server.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('serves the build with content types, and /config.json from the config', async () => {
    expect(await raw(server, '/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(await raw(server, '/assets/app.js')).toMatchObject({
      status: 200,
      type: 'text/javascript; charset=utf-8',
    });
    expect(await raw(server, '/assets/app.css')).toMatchObject({
      status: 200,
      type: 'text/css; charset=utf-8',
    });
    const c = await raw(server, '/config.json');
    expect([c.status, c.type, JSON.parse(c.body)]).toEqual([200, 'application/json; charset=utf-8', config]);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it.each([
    '/../outside.txt',
    '/assets/../../outside.txt',
    '/%2e%2e/outside.txt',
    '/..%2foutside.txt',
    '/.env',
    '/assets',
    '/nope.js',
    '/a%00b',
  ])('answers 404 to %s', async (path) => {
    const r = await raw(server, path);
    expect(r.status).toBe(404);
    expect(r.body).not.toMatch(/outside|SECRET/);
  });

  it('refuses other methods', async () => {
    expect((await raw(server, '/', 'POST')).status).toBe(405);
  });
});
