/**
 * riskApi through its deployed wiring over real HTTP, on the Firestore emulator and the DuckDB warehouse, fed by
 * the real risk path: evaluateBatch values portfolios of two desks (exposures into the warehouse), detectMarginEvents
 * keeps their views and raises margin alerts, recordAlert puts those in the feed. Every answer is checked
 * against the OpenAPI document (schemas/openapi/risk-api.json), errors included; the stream is read with fetch,
 * cut, and resumed from its Last-Event-ID on a restarted server after more alerts were recorded.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalSecrets, localPlatform } from '../../../local-stack/platform';
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import type { SchemaTypes } from '../../../shared/contracts/schema-types';
import { systemClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import { FEED_SETTLE_MS } from '../../../shared/use-cases/alert-feed';
import type { PortfolioDoc } from '../../../shared/use-cases/compute-portfolio-risk';
import { CapturingSink } from '../../support/capturing-sink';
import { emulatorHosts, isolatedProjectId } from '../../support/env';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { expectDocumented, expectDocumentedEvent } from '../../support/openapi';
import { RiskFeed, tickAt } from '../../support/risk-feed';
import { serveRiskApi, stopRiskApi, type ServedApi } from '../../support/risk-api-server';

type PortfolioRisk = SchemaTypes['shared/portfolio-risk'];

const MANAGER = 'risk-manager@desk.test';
const HEAD = 'desk-head@desk.test';
const ORIGIN = 'http://localhost:5173';
const DAY = 86_400_000;

const book = (id: string, deskId: string, btc: number, usdc: number, ethBorrow = 0): PortfolioDoc => ({
  portfolioId: id,
  bucket: 0,
  deskId,
  updatedAt: new Date(Date.now() - DAY).toISOString(),
  positions: [
    { asset: 'BTC', amount: btc, side: 'collateral' },
    { asset: 'USDC', amount: usdc, side: 'borrow' },
    ...(ethBorrow ? [{ asset: 'ETH', amount: ethBorrow, side: 'borrow' as const }] : []),
  ],
});

const auth = (who: string) => ({ authorization: `Bearer local:${who}` });

async function get(
  base: ServedApi,
  path: string,
  who: string | null = MANAGER,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base.url}${path}`, { headers: { ...(who ? auth(who) : {}), ...headers } });
  const body = (await res.json()) as unknown;
  expectDocumented('risk-api', 'GET', path, res.status, body);
  return { status: res.status, body: body as Record<string, unknown>, headers: res.headers };
}

interface SseEvent {
  event: string;
  id?: string;
  data: unknown;
}

/** Reads a stream with fetch (as browsers must, to send Authorization) until `until` says stop, then cuts it. */
async function readStream(
  base: ServedApi,
  path: string,
  until: (events: SseEvent[]) => boolean,
  lastEventId?: string,
): Promise<SseEvent[]> {
  const ctl = new AbortController();
  const res = await fetch(`${base.url}${path}`, {
    headers: {
      ...auth(MANAGER),
      accept: 'text/event-stream',
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    },
    signal: ctl.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: SseEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const deadline = Date.now() + 30_000;
  try {
    while (!until(events)) {
      if (Date.now() > deadline)
        throw new Error(`stream gave only ${JSON.stringify(events.map((e) => e.event))}`);
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const e: Partial<SseEvent> & { dataText?: string } = {};
        for (const line of frame.split('\n')) {
          const [k, ...rest] = line.split(': ');
          if (k === 'event') e.event = rest.join(': ');
          if (k === 'id') e.id = rest.join(': ');
          if (k === 'data') e.dataText = rest.join(': ');
        }
        if (e.event && e.dataText !== undefined) {
          const ev = { event: e.event, id: e.id, data: JSON.parse(e.dataText) as unknown };
          expectDocumentedEvent(ev.event, ev.data);
          events.push(ev);
        }
      }
    }
  } finally {
    ctl.abort();
  }
  return events;
}

describe('riskApi on the Firestore emulator and DuckDB', () => {
  const projectId = isolatedProjectId('risk-api');
  let store: FirestoreDocumentStore;
  let warehouse: DuckDbWarehouse;
  const logger = new StructuredLogger({ sink: new CapturingSink().sink });
  let platform: ReturnType<typeof localPlatform>;
  let api: ServedApi;
  let risks: PortfolioRisk[];
  const recorded: string[] = [];

  let feed: RiskFeed;
  /** Values `docs` at `tick` with the real risk path; `recorded` gets the margin alerts it puts in the feed. */
  async function runRisk(
    docs: PortfolioDoc[],
    tick: { tickId: string; asOf: string },
    prices: Record<string, number>,
  ) {
    const out = await feed.run(docs, tick, prices);
    for (const r of feed.recorded) if (!recorded.includes(r.alertId)) recorded.push(r.alertId);
    return out;
  }

  beforeAll(async () => {
    store = new FirestoreDocumentStore({ projectId, emulatorHost: emulatorHosts().firestoreHost });
    warehouse = await DuckDbWarehouse.open();
    feed = new RiskFeed(store, warehouse, logger, mkdtempSync(join(tmpdir(), 'risk-api-')));
    platform = localPlatform({
      env: {
        ENVIRONMENT: 'local',
        RISK_API_ACCESS: `${MANAGER}=*;${HEAD}=default`,
        RISK_API_ALLOWED_ORIGINS: ORIGIN,
        RISK_API_RATE_BURST: '1000',
        RISK_API_HEARTBEAT_MS: '300',
        RISK_API_STREAM_POLL_MS: '100',
      },
      bus: new MemoryEventBus(),
      store,
      warehouse,
      secrets: new LocalSecrets(),
      clock: systemClock,
      logger,
    });
    api = await serveRiskApi(platform);
    risks = await runRisk(
      [
        book('acct-far', 'default', 3, 100_000),
        book('acct-near', 'default', 1, 64_000, 1),
        book('acct-call', 'default', 1, 80_000),
        book('rates-1', 'rates', 2, 50_000),
      ],
      tickAt(Date.now() - 60_000),
      { BTC: 100_000, ETH: 4_000, USDC: 1 },
    );
    // Alerts are served once they have settled (FEED_SETTLE_MS).
    await new Promise((r) => setTimeout(r, FEED_SETTLE_MS + 200));
  });

  afterAll(async () => {
    await stopRiskApi(api);
    await store.close();
    await warehouse.close();
  });

  it('values the desks through the real risk path first (margin alerts in the feed)', () => {
    expect(risks).toHaveLength(4);
    expect(recorded.length).toBeGreaterThanOrEqual(2); // acct-call and acct-near left HEALTHY
  });

  it("serves a desk by health with counts and collateral at risk, and refuses other desks' readers", async () => {
    const r = await get(api, '/desks/default');
    expect(r.status).toBe(200);
    const o = r.body as unknown as SchemaTypes['api/desk-overview'];
    expect(o.portfolios.map((p) => p.portfolioId)).toEqual(['acct-call', 'acct-near', 'acct-far']);
    expect(o.counts.MARGIN_CALL).toBe(1);
    expect(o.collateralAtRisk.inCallUsd).toBe(100_000);
    expect(o.asOf).toBe(risks[0].asOf);
    expect((await get(api, '/desks/default', HEAD)).status).toBe(200);
    const refused = await get(api, '/desks/rates', HEAD);
    expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
    const bad = await get(api, '/desks/default?shock=0.5');
    expect([bad.status, bad.body.code]).toEqual([400, 'INVALID_REQUEST']);
    expect((bad.body.problems as string[])[0]).toMatch(/shock/);
  });

  it('serves a portfolio: exposures with price source and quality, thresholds, liquidation prices of borrows too, VaR/ES', async () => {
    const r = await get(api, '/portfolios/acct-near');
    expect(r.status).toBe(200);
    const v = r.body as unknown as SchemaTypes['api/portfolio-view'];
    expect(v.exposures.map((e) => [e.asset, e.source, e.quality])).toEqual([
      ['BTC', 'chainlink', 'CROSS_CHECKED'],
      ['USDC', 'chainlink', 'CROSS_CHECKED'],
      ['ETH', 'chainlink', 'CROSS_CHECKED'],
    ]);
    expect(v.health.thresholds).toEqual({ warning: 50, marginCall: 30, liquidation: 15 });
    const eth = v.liquidationPrices.find((l) => l.asset === 'ETH');
    expect(eth).toMatchObject({ side: 'borrow', direction: 'rises' });
    expect(eth?.priceUsd as number).toBeGreaterThan(4_000);
    expect(v.risk?.figures.length).toBeGreaterThanOrEqual(12);
    expect(v.risk).toMatchObject({ lookbackDays: 365, quantileMethod: expect.any(String) });
  });

  it('answers 404 for an unknown portfolio, 403 for another desk, 400 for a malformed id', async () => {
    expect((await get(api, '/portfolios/nobody')).status).toBe(404);
    expect((await get(api, '/portfolios/rates-1', HEAD)).status).toBe(403);
    expect((await get(api, `/portfolios/${encodeURIComponent('bad id!')}`)).status).toBe(400);
  });

  it('serves the last 24 hours from the warehouse views', async () => {
    const r = await get(api, '/portfolios/acct-far/exposure-history');
    expect(r.status).toBe(200);
    const h = r.body as unknown as SchemaTypes['api/exposure-history'];
    expect(h.points.map((p) => p.asset).sort()).toEqual(['BTC', 'USDC']);
    expect(h.points.find((p) => p.asset === 'BTC')?.latestNetExposureUsd).toBe(300_000);
    expect(h.asOf).toBe(risks[0].asOf);
  });

  it('pages through the alerts once each, in order; a desk head sees only their desk; bad cursors are refused', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const r = await get(api, `/alerts?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const page = r.body as unknown as SchemaTypes['api/alert-page'];
      if (page.alerts.length === 0) break;
      seen.push(...page.alerts.map((a) => a.alertId));
      cursor = page.cursor;
    }
    expect(seen).toEqual(recorded);
    const head = (await get(api, '/alerts?deskId=default', HEAD))
      .body as unknown as SchemaTypes['api/alert-page'];
    expect(head.alerts.every((a) => a.deskId === 'default')).toBe(true);
    expect((await get(api, '/alerts?deskId=rates', HEAD)).status).toBe(403);
    // The newest first-screenful, and the cursor to stream from after it.
    const latest = (await get(api, '/alerts?latest=true&limit=2'))
      .body as unknown as SchemaTypes['api/alert-page'];
    expect(latest.alerts.map((a) => a.alertId)).toEqual(recorded.slice(-2));
    expect(latest.cursor).toBe(latest.alerts[1].cursor);
    const both = await get(api, `/alerts?latest=true&cursor=${encodeURIComponent(latest.cursor as string)}`);
    expect(both.status).toBe(400);
    const invalid = await get(api, '/alerts?cursor=nonsense');
    expect([invalid.status, invalid.body.code]).toEqual([400, 'INVALID_CURSOR']);
    const expired = await get(api, '/alerts?cursor=000000000001.000000000~x');
    expect([expired.status, expired.body.code]).toEqual([410, 'CURSOR_EXPIRED']);
  });

  it('asks for a token (401), refuses other methods (405) and paths (404)', async () => {
    const r = await get(api, '/desks/default', null);
    expect([r.status, r.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    const post = await fetch(`${api.url}/alerts`, { method: 'POST', headers: auth(MANAGER) });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET']);
    const unknown = await fetch(`${api.url}/everything`, { headers: auth(MANAGER) });
    expect(unknown.status).toBe(404);
  });

  it("answers the dashboard's CORS preflight without a token, and no other origin's", async () => {
    const ok = await fetch(`${api.url}/stream`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-headers': 'authorization, last-event-id' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const other = await fetch(`${api.url}/stream`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const get1 = await fetch(`${api.url}/desks/default`, { headers: { ...auth(MANAGER), origin: ORIGIN } });
    expect(get1.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  it('limits each caller: 429 with Retry-After past the burst, other callers unaffected', async () => {
    const small = localPlatform({
      env: { ENVIRONMENT: 'local', RISK_API_RATE_BURST: '3', RISK_API_RATE_PER_MINUTE: '6' },
      bus: new MemoryEventBus(),
      store,
      warehouse,
      secrets: new LocalSecrets(),
      clock: systemClock,
      logger,
    });
    const limited = await serveRiskApi(small);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await get(limited, '/desks/default')).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const r = await get(limited, '/desks/default');
      expect(r.body.code).toBe('RATE_LIMITED');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await get(limited, '/desks/default', HEAD)).status).toBe(200);
    } finally {
      await stopRiskApi(limited);
    }
  });

  it('streams: caught up at once, a new alert live, and after a cut and a server restart exactly what was missed', async () => {
    // Connected from "now": the first heartbeat says caught up and carries where to resume.
    const first = await readStream(api, '/stream', (ev) => ev.some((e) => e.event === 'heartbeat'));
    const start = first.find((e) => e.event === 'heartbeat')?.id;
    expect(start).toMatch(/^\d{12}\.\d{9}~/);
    // A deterioration while connected arrives live, with its cursor as the id.
    const before = recorded.length;
    const live = readStream(api, '/stream', (ev) => ev.filter((e) => e.event === 'alert').length >= 1, start);
    await runRisk([book('acct-far', 'default', 3, 100_000)], tickAt(Date.now()), {
      BTC: 40_000,
      ETH: 4_000,
      USDC: 1,
    });
    expect(recorded.length).toBe(before + 1);
    const got = (await live).filter((e) => e.event === 'alert');
    expect(got.map((e) => (e.data as { alertId: string }).alertId)).toEqual([recorded[before]]);
    const resumeFrom = got[0].id as string;
    // Cut: two more alerts while the client is away, and the server restarts in between.
    await stopRiskApi(api);
    await runRisk([book('rates-1', 'rates', 2, 50_000)], tickAt(Date.now() + 60_000), {
      BTC: 30_000,
      ETH: 4_000,
      USDC: 1,
    });
    await runRisk([book('acct-near', 'default', 1, 64_000, 1)], tickAt(Date.now() + 120_000), {
      BTC: 150_000,
      ETH: 4_000,
      USDC: 1,
    });
    const missed = recorded.slice(before + 1);
    expect(missed.length).toBeGreaterThanOrEqual(2);
    api = await serveRiskApi(platform);
    // Away longer than the feed's settle delay: everything missed is replayed before the first heartbeat.
    await new Promise((r) => setTimeout(r, FEED_SETTLE_MS + 200));
    const resumed = await readStream(
      api,
      '/stream',
      (ev) => ev.some((e) => e.event === 'heartbeat'),
      resumeFrom,
    );
    // Replayed before the first heartbeat, once each and in order; nothing from before the cursor.
    const replayed = resumed.slice(
      0,
      resumed.findIndex((e) => e.event === 'heartbeat'),
    );
    expect(replayed.map((e) => (e.data as { alertId: string }).alertId)).toEqual(missed);
  });

  it("sends a desk's portfolio updates as they are written", async () => {
    const stream = readStream(api, '/stream?deskId=default', (ev) => ev.some((e) => e.event === 'portfolio'));
    await new Promise((r) => setTimeout(r, 500)); // connected first: updates are from the moment of connection
    await runRisk([book('acct-far', 'default', 3, 100_000)], tickAt(Date.now() + 180_000), {
      BTC: 45_000,
      ETH: 4_000,
      USDC: 1,
    });
    const p = (await stream).find((e) => e.event === 'portfolio')?.data as {
      portfolioId: string;
      deskId: string;
    };
    expect(p).toMatchObject({ portfolioId: 'acct-far', deskId: 'default' });
  });
});
