/**
 * Webhook URLs come from recipient documents, so the sender must not be a way into the internal network
 * (SSRF). Every refused case runs the sender as deployed (real transport, no local allowance) with an
 * injected resolver, and asserts that neither the transport nor any socket was asked to connect. The
 * cases that do connect use servers on 127.0.0.1 with the local-only allowance on.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { HostResolver, ResolvedAddress } from '../../../shared/adapters/notifications/host-resolver';
import {
  closePinnedPools,
  IDLE_SOCKET_MS,
  MAX_PINNED_POOLS,
  MAX_SOCKETS_PER_POOL,
  pinnedHttpTransport,
  pinnedPool,
  type PinnedRequest,
  type WebhookTransport,
} from '../../../shared/adapters/notifications/pinned-http';
import {
  MAX_RESPONSE_BYTES,
  UNSAFE_WEBHOOK_URL,
  WebhookSender,
} from '../../../shared/adapters/notifications/webhook-sender';
import type { ProviderResult } from '../../../shared/domain/notifications/delivery';
import type { Dispatch } from '../../../shared/domain/notifications/types';
import {
  checkAddresses,
  classifyAddress,
  parseWebhookUrl,
} from '../../../shared/domain/notifications/webhook-url';
import { ManualClock } from '../../../shared/platform/clocks';
import { loadFixtures } from '../contracts/schema-fixtures';

const dispatch = loadFixtures('messages/notifications.dispatch.v1').base as Dispatch;
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PUBLIC = '93.184.216.34';
const clock = new ManualClock('2020-03-12T23:59:00Z');

/** Answers from a table; each name can resolve differently on each call (rebinding). */
function fakeResolver(table: Record<string, string[][]>) {
  const calls: string[] = [];
  const resolver: HostResolver = {
    resolve: async (hostname) => {
      const answers = table[hostname];
      calls.push(hostname);
      if (!answers)
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      const answer = answers[Math.min(calls.filter((c) => c === hostname).length - 1, answers.length - 1)];
      return answer.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  };
  return { resolver, calls };
}

/** The real transport, recording every request it is asked to make. */
function spyTransport(answer?: (req: PinnedRequest) => Promise<{ status: number }>) {
  const requests: PinnedRequest[] = [];
  const transport: WebhookTransport = {
    post: async (req) => {
      requests.push(req);
      if (!answer) return pinnedHttpTransport.post(req);
      return { headers: {}, body: '', truncated: false, ...(await answer(req)) };
    },
  };
  return { transport, requests };
}

const send = (sender: WebhookSender, url: string): Promise<ProviderResult> =>
  sender.send(dispatch, { channel: 'webhook', url, secret: SECRET });

let connect: jest.SpyInstance;
beforeEach(() => {
  connect = jest.spyOn(Socket.prototype, 'connect');
});
afterEach(() => connect.mockRestore());

describe('webhook URL checks (pure)', () => {
  it.each([
    ['https://127.0.0.1/', '127.0.0.1'],
    ['https://2130706433/', '127.0.0.1'],
    ['https://0x7f.1/', '127.0.0.1'],
    ['https://0177.0.0.1/', '127.0.0.1'],
    ['https://127.1/', '127.0.0.1'],
    ['https://0/', '0.0.0.0'],
    ['https://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
    ['https://[::1]/', '::1'],
  ])('the URL parser canonicalises %s to the address %s', (url, address) => {
    const t = parseWebhookUrl(url, { allowLoopback: false });
    expect(t).toMatchObject({ ok: true, value: { literal: address } });
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['fd00::1', 'unique-local'],
    ['fc00::', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.7', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['::7f00:1', 'reserved'],
    [PUBLIC, 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['not-an-address', null],
    ['1.2.3', null],
    ['1::2::3', null],
  ])('classifies %s as %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('refuses a host when any one of its addresses is not public', () => {
    const t = parseWebhookUrl('https://hooks.example.com/', { allowLoopback: false });
    if (!t.ok) throw new Error(t.reason);
    expect(checkAddresses(t.value, [PUBLIC, '10.0.0.1'], { allowLoopback: false })).toEqual({
      ok: false,
      reason: 'webhook host resolves to a non-public address (private)',
    });
    expect(checkAddresses(t.value, [PUBLIC], { allowLoopback: false })).toEqual({ ok: true, value: PUBLIC });
  });
});

describe('WebhookSender refuses unsafe destinations without connecting', () => {
  const { resolver, calls } = fakeResolver({
    'hooks.example.com': [[PUBLIC]],
    'mixed.example.com': [[PUBLIC, '127.0.0.1']],
    'intranet.example.com': [['10.1.2.3']],
    'mapped.example.com': [['::ffff:169.254.169.254']],
    'ula.example.com': [['fd00::1']],
    'cgnat.example.com': [['100.64.0.1']],
    // Would be the metadata server on GCP; refused by name before any resolution.
    'metadata.google.internal': [[PUBLIC]],
  });

  const refused: [string, string][] = [
    ['http://hooks.example.com/hook', 'webhook URL must use https (got http:)'],
    ['https://user:pass@hooks.example.com/hook', 'webhook URL must not carry credentials'],
    ['https://:pass@hooks.example.com/hook', 'webhook URL must not carry credentials'],
    ['https://127.0.0.1/hook', 'webhook host resolves to a non-public address (loopback)'],
    ['https://localhost/hook', 'webhook host is a loopback name'],
    ['https://LOCALHOST./hook', 'webhook host is a loopback name'],
    ['https://api.localhost/hook', 'webhook host is a loopback name'],
    ['https://[::ffff:127.0.0.1]/hook', 'webhook host resolves to a non-public address (loopback)'],
    ['https://2130706433/hook', 'webhook host resolves to a non-public address (loopback)'],
    ['https://0x7f.1/hook', 'webhook host resolves to a non-public address (loopback)'],
    ['https://0177.0.0.1/hook', 'webhook host resolves to a non-public address (loopback)'],
    ['https://127.1/hook', 'webhook host resolves to a non-public address (loopback)'],
    ['https://[::1]/hook', 'webhook host resolves to a non-public address (loopback)'],
    ['https://0.0.0.0/hook', 'webhook host resolves to a non-public address (unspecified)'],
    ['https://[::]/hook', 'webhook host resolves to a non-public address (unspecified)'],
    [
      'https://169.254.169.254/computeMetadata/v1/',
      'webhook host resolves to a non-public address (link-local)',
    ],
    ['https://metadata.google.internal/computeMetadata/v1/', 'webhook host is an internal name'],
    ['https://100.64.0.1/hook', 'webhook host resolves to a non-public address (shared)'],
    ['https://[fd00::1]/hook', 'webhook host resolves to a non-public address (unique-local)'],
    ['https://[fe80::1]/hook', 'webhook host resolves to a non-public address (link-local)'],
    ['https://10.0.0.5/hook', 'webhook host resolves to a non-public address (private)'],
    ['https://172.16.0.1/hook', 'webhook host resolves to a non-public address (private)'],
    ['https://192.168.1.1/hook', 'webhook host resolves to a non-public address (private)'],
    ['https://224.0.0.1/hook', 'webhook host resolves to a non-public address (multicast)'],
    ['https://255.255.255.255/hook', 'webhook host resolves to a non-public address (broadcast)'],
    ['https://mixed.example.com/hook', 'webhook host resolves to a non-public address (loopback)'],
    ['https://intranet.example.com/hook', 'webhook host resolves to a non-public address (private)'],
    ['https://mapped.example.com/hook', 'webhook host resolves to a non-public address (link-local)'],
    ['https://ula.example.com/hook', 'webhook host resolves to a non-public address (unique-local)'],
    ['https://cgnat.example.com/hook', 'webhook host resolves to a non-public address (shared)'],
    ['ftp://hooks.example.com/hook', 'webhook URL must use https (got ftp:)'],
    ['not a url', 'webhook URL is not a valid URL'],
  ];

  it.each(refused)('%s: permanent failure, no connection', async (url, reason) => {
    const { transport, requests } = spyTransport();
    const sender = new WebhookSender({ clock, timeoutMs: 2000, resolver, transport });
    expect(await send(sender, url)).toEqual({
      outcome: 'permanent',
      status: null,
      code: UNSAFE_WEBHOOK_URL,
      detail: reason,
      recipientError: true,
    });
    expect(requests).toEqual([]);
    expect(connect).not.toHaveBeenCalled();
  });

  it('the local-only allowance admits loopback over http, nothing else', async () => {
    const { transport, requests } = spyTransport(async () => ({ status: 204 }));
    const sender = new WebhookSender({ clock, timeoutMs: 2000, resolver, transport, allowLoopback: true });
    for (const [url, reason] of [
      ['http://hooks.example.com/hook', 'plain http is allowed only to loopback (local stack)'],
      [
        'http://169.254.169.254/computeMetadata/v1/',
        'webhook host resolves to a non-public address (link-local)',
      ],
      ['http://10.0.0.5/hook', 'webhook host resolves to a non-public address (private)'],
      ['http://mixed.example.com/hook', 'plain http is allowed only to loopback (local stack)'],
      ['http://user:pw@127.0.0.1/hook', 'webhook URL must not carry credentials'],
    ])
      expect(await send(sender, url)).toMatchObject({ code: UNSAFE_WEBHOOK_URL, detail: reason });
    expect(requests).toEqual([]);
    expect(await send(sender, 'http://127.0.0.1:9/hook')).toMatchObject({ outcome: 'accepted' });
    expect(requests.map((r) => r.address)).toEqual(['127.0.0.1']);
    expect(connect).not.toHaveBeenCalled();
  });

  it('a name that does not resolve is retryable and connects nowhere', async () => {
    const { transport, requests } = spyTransport();
    const sender = new WebhookSender({ clock, timeoutMs: 2000, resolver, transport });
    expect(await send(sender, 'https://gone.example.com/hook')).toMatchObject({
      outcome: 'retryable',
      code: 'ENOTFOUND',
    });
    expect(requests).toEqual([]);
    expect(connect).not.toHaveBeenCalled();
  });

  it('looked up only names that passed the URL checks (never a literal, never a refused name)', () => {
    expect(new Set(calls)).toEqual(
      new Set([
        'hooks.example.com',
        'mixed.example.com',
        'intranet.example.com',
        'mapped.example.com',
        'ula.example.com',
        'cgnat.example.com',
        'gone.example.com',
      ]),
    );
  });
});

describe('WebhookSender connects only to the address it checked', () => {
  it('DNS rebinding: public when checked, loopback next; the request goes to the checked address', async () => {
    const { resolver, calls } = fakeResolver({ 'rebind.example.com': [[PUBLIC], ['127.0.0.1']] });
    const { transport, requests } = spyTransport(async () => ({ status: 204 }));
    const sender = new WebhookSender({ clock, timeoutMs: 2000, resolver, transport });
    expect(await send(sender, 'https://rebind.example.com/hook')).toMatchObject({ outcome: 'accepted' });
    expect(calls).toEqual(['rebind.example.com']); // resolved once, not again at connect time
    expect(requests).toHaveLength(1);
    expect(requests[0].address).toBe(PUBLIC);
    expect(requests[0].url.hostname).toBe('rebind.example.com'); // SNI and Host keep the name
    // The next send re-checks and now refuses: the name points at loopback.
    expect(await send(sender, 'https://rebind.example.com/hook')).toMatchObject({ code: UNSAFE_WEBHOOK_URL });
    expect(requests).toHaveLength(1);
    expect(connect).not.toHaveBeenCalled();
  });

  describe('through the real transport (a local server, local-only allowance on)', () => {
    let server: Server;
    let port: number;
    const seen: { url?: string; headers: IncomingHttpHeaders }[] = [];
    let streamed = 0;
    let streamClosed: Promise<void> = Promise.resolve();

    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push({ url: req.url, headers: req.headers });
        req.resume();
        if (req.url === '/redirect') {
          res.writeHead(302, { location: 'http://169.254.169.254/computeMetadata/v1/' });
          return res.end('moved');
        }
        if (req.url === '/huge') {
          // 300 MB if read whole; written with backpressure, so the count is what the client took.
          res.writeHead(500, { 'content-type': 'text/plain' });
          const chunk = Buffer.alloc(64 * 1024, 'x');
          chunk.write(`internal error token=abc123 ${SECRET} at db-7.internal `);
          streamClosed = new Promise((done) => res.on('close', () => done()));
          const pump = () => {
            while (streamed < 300 * 1024 * 1024 && !res.destroyed) {
              streamed += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            res.end();
          };
          return pump();
        }
        res.writeHead(204).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => {
      closePinnedPools();
      return new Promise((r) => server.close(r));
    });

    it('connects to the pinned address while the Host header keeps the name (which DNS cannot resolve)', async () => {
      const { resolver } = fakeResolver({ 'hooks.example.test': [['127.0.0.1']] });
      const sender = new WebhookSender({ clock, timeoutMs: 5000, resolver, allowLoopback: true });
      expect(await send(sender, `http://hooks.example.test:${port}/ok`)).toMatchObject({
        outcome: 'accepted',
        status: 204,
      });
      expect(seen.at(-1)?.headers.host).toBe(`hooks.example.test:${port}`);
      expect(connect).toHaveBeenCalledTimes(1);
    });

    it('keeps the connection for the next webhook whose check pins the same address', async () => {
      const { resolver } = fakeResolver({ 'keep.example.test': [['127.0.0.1']] });
      const sender = new WebhookSender({ clock, timeoutMs: 5000, resolver, allowLoopback: true });
      const before = seen.length;
      for (let i = 0; i < 3; i++)
        expect(await send(sender, `http://keep.example.test:${port}/ok`)).toMatchObject({ status: 204 });
      expect(seen.length).toBe(before + 3);
      expect(connect).toHaveBeenCalledTimes(1);
    });

    it('keeps every connection a burst opened for the next burst to the same address', async () => {
      const { resolver } = fakeResolver({ 'burst.example.test': [['127.0.0.1']] });
      const sender = new WebhookSender({ clock, timeoutMs: 5000, resolver, allowLoopback: true });
      const burst = async () =>
        (
          await Promise.all(
            Array.from({ length: 20 }, () => send(sender, `http://burst.example.test:${port}/ok`)),
          )
        ).map((r) => r.outcome);
      expect(await burst()).toEqual(Array(20).fill('accepted'));
      const opened = connect.mock.calls.length;
      expect(opened).toBeGreaterThan(4); // the burst did need several connections at once
      expect(opened).toBeLessThanOrEqual(20);
      expect(await burst()).toEqual(Array(20).fill('accepted'));
      // The second burst found them all kept: not one new connection (4 were kept before, 16 were reopened).
      expect(connect).toHaveBeenCalledTimes(opened);
    });

    it('never hands a kept connection to a request that checked another address', async () => {
      // One server on every local address: 127.0.0.1 and 127.0.0.2 reach it on the same port.
      const local: string[] = [];
      const any = createServer((req, res) => {
        local.push(req.socket.localAddress ?? '');
        req.resume();
        res.writeHead(204).end();
      });
      await new Promise<void>((r) => any.listen(0, '0.0.0.0', r));
      const anyPort = (any.address() as AddressInfo).port;
      try {
        const { resolver } = fakeResolver({
          'moving.example.test': [['127.0.0.1'], ['127.0.0.2'], ['127.0.0.1']],
        });
        const sender = new WebhookSender({ clock, timeoutMs: 5000, resolver, allowLoopback: true });
        for (let i = 0; i < 3; i++)
          expect(await send(sender, `http://moving.example.test:${anyPort}/ok`)).toMatchObject({
            status: 204,
          });
        expect(local.map((a) => a.replace(/^::ffff:/, ''))).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.1']);
        // The third request went back to the first address's kept connection: two connections in all.
        expect(connect).toHaveBeenCalledTimes(2);
      } finally {
        closePinnedPools();
        any.closeAllConnections();
        await new Promise((r) => any.close(r));
      }
    });

    it('does not follow a redirect: a 3xx is a permanent failure and the Location is never fetched', async () => {
      const before = seen.length;
      const sender = new WebhookSender({ clock, timeoutMs: 5000, allowLoopback: true });
      expect(await send(sender, `http://127.0.0.1:${port}/redirect`)).toMatchObject({
        outcome: 'permanent',
        status: 302,
        code: null,
        recipientError: true,
      });
      expect(seen.length).toBe(before + 1);
      expect(connect).toHaveBeenCalledTimes(1); // the receiver only, not 169.254.169.254
    });

    it('reads a 300 MB answer only up to the cap and keeps a short redacted excerpt', async () => {
      const sender = new WebhookSender({ clock, timeoutMs: 10_000, allowLoopback: true });
      const started = Date.now();
      const result = await send(sender, `http://127.0.0.1:${port}/huge`);
      await streamClosed;
      expect(result).toMatchObject({ outcome: 'retryable', status: 500 });
      const detail = (result as { detail: string }).detail;
      expect(detail.length).toBeLessThanOrEqual(210);
      expect(detail).toMatch(/^internal error token=abc123 whsec_\[redacted\] at db-7\.internal x+ \[…\]$/);
      expect(detail).not.toContain(SECRET);
      // The connection was closed after the cap: the server got far less than 300 MB out (socket buffers).
      expect(streamed).toBeLessThan(32 * 1024 * 1024);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(MAX_RESPONSE_BYTES).toBe(4096);
    });
  });
});

describe('pools of kept connections', () => {
  afterEach(() => closePinnedPools());

  it('one per scheme, host, port and checked address', () => {
    const a = pinnedPool(true, 'hooks.example.com', 443, PUBLIC);
    expect(pinnedPool(true, 'hooks.example.com', 443, PUBLIC)).toBe(a);
    for (const other of [
      pinnedPool(false, 'hooks.example.com', 443, PUBLIC),
      pinnedPool(true, 'other.example.com', 443, PUBLIC),
      pinnedPool(true, 'hooks.example.com', 8443, PUBLIC),
      pinnedPool(true, 'hooks.example.com', 443, '93.184.216.35'),
    ])
      expect(other).not.toBe(a);
  });

  it('keeps as many idle connections as it may open, and closes them after IDLE_SOCKET_MS idle', () => {
    const options = (pinnedPool(true, 'idle.example.com', 443, PUBLIC) as unknown as { options: object })
      .options;
    expect(options).toMatchObject({
      keepAlive: true,
      maxSockets: MAX_SOCKETS_PER_POOL,
      maxFreeSockets: MAX_SOCKETS_PER_POOL,
      timeout: IDLE_SOCKET_MS,
    });
  });

  it('closes the least recently used beyond MAX_PINNED_POOLS', () => {
    const first = pinnedPool(true, 'h0.example.com', 443, PUBLIC);
    const destroy = jest.spyOn(first, 'destroy');
    const second = pinnedPool(true, 'h1.example.com', 443, PUBLIC);
    expect(pinnedPool(true, 'h0.example.com', 443, PUBLIC)).toBe(first); // used again: now the newest
    for (let i = 2; i < MAX_PINNED_POOLS; i++) pinnedPool(true, `h${i}.example.com`, 443, PUBLIC);
    expect(destroy).not.toHaveBeenCalled();
    const secondDestroy = jest.spyOn(second, 'destroy');
    pinnedPool(true, 'one-more.example.com', 443, PUBLIC);
    expect(secondDestroy).toHaveBeenCalledTimes(1);
    expect(destroy).not.toHaveBeenCalled();
    expect(pinnedPool(true, 'h1.example.com', 443, PUBLIC)).not.toBe(second);
  });
});
