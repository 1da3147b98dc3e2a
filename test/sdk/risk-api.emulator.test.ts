/**
 * The SDK against the real riskApi (its deployed wiring over HTTP, Firestore emulator, DuckDB): the typed reads and
 * errors, and a 10-minute outage — the server stopped while alerts keep being recorded, the client's clock
 * advanced through its capped backoff — after which every alert raised meanwhile arrives once and in order, and
 * the connection says where it is at each step.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FirestoreDocumentStore } from '../../shared/adapters/gcp/firestore-document-store';
import { DuckDbWarehouse } from '../../shared/adapters/local/duckdb-warehouse';
import type { SchemaTypes } from '../../shared/contracts/schema-types';
import { systemClock } from '../../shared/platform/clocks';
import { StructuredLogger } from '../../shared/platform/logger';
import { FEED_SETTLE_MS, recordAlert } from '../../shared/use-cases/alert-feed';
import { detectMarginEvents } from '../../shared/use-cases/detect-margin-events';
import { LocalSecrets, localPlatform } from '../../local-stack/platform';
import {
  AuthenticationError,
  NotFoundError,
  PermissionError,
  RiskClient,
  type ConnectionState,
  type FeedAlert,
} from '../../sdk/src/index';
import { CapturingSink } from '../support/capturing-sink';
import { emulatorHosts, isolatedProjectId } from '../support/env';
import { MemoryEventBus } from '../support/memory/memory-event-bus';
import { serveRiskApi, stopRiskApi, type ServedApi } from '../support/risk-api-server';

type MarginAlert = SchemaTypes['messages/alerts.margin.v1'];
const MANAGER = 'risk-manager@desk.test';
const HEAD = 'desk-head@desk.test';
const fixture = <T>(path: string): T =>
  JSON.parse(readFileSync(join(__dirname, '../fixtures/schemas', path, 'good.json'), 'utf8')) as T;

let seq = 0;
function marginAlert(portfolioId: string, deskId: string): MarginAlert {
  const n = (seq++).toString(16).padStart(4, '0');
  return {
    ...fixture<MarginAlert>('messages/alerts.margin.v1'),
    eventId: `me_${'0'.repeat(28)}${n}`,
    portfolioId,
    deskId,
  };
}

const until = async (what: string, ok: () => boolean, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the SDK against riskApi (Firestore emulator)', () => {
  const projectId = isolatedProjectId('sdk');
  let store: FirestoreDocumentStore;
  let warehouse: DuckDbWarehouse;
  let platform: ReturnType<typeof localPlatform>;
  let api: ServedApi;
  const logger = new StructuredLogger({ sink: new CapturingSink().sink });
  const client = (who: string, extra: Partial<ConstructorParameters<typeof RiskClient>[0]> = {}) =>
    new RiskClient({ baseUrl: `http://127.0.0.1:${api.port}`, token: () => `local:${who}`, ...extra });

  beforeAll(async () => {
    store = new FirestoreDocumentStore({ projectId, emulatorHost: emulatorHosts().firestoreHost });
    warehouse = await DuckDbWarehouse.open();
    platform = localPlatform({
      env: {
        ENVIRONMENT: 'local',
        RISK_API_ACCESS: `${MANAGER}=*;${HEAD}=default`,
        RISK_API_RATE_BURST: '10000',
        RISK_API_HEARTBEAT_MS: '200',
        RISK_API_STREAM_POLL_MS: '100',
      },
      bus: new MemoryEventBus(),
      store,
      warehouse,
      secrets: new LocalSecrets(),
      clock: systemClock,
      logger,
    });
    // Two portfolios' views, kept by the risk path's margin detection.
    const risk = fixture<SchemaTypes['shared/portfolio-risk']>('shared/portfolio-risk');
    const deps = { store, bus: new MemoryEventBus(), warehouse, clock: systemClock, logger };
    await detectMarginEvents(deps, { ...risk, portfolioId: 'sdk-1', deskId: 'default' });
    await detectMarginEvents(deps, { ...risk, portfolioId: 'sdk-2', deskId: 'rates' });
    api = await serveRiskApi(platform);
  });

  afterAll(async () => {
    await stopRiskApi(api);
    await store.close();
    await warehouse.close();
  });

  it('reads a desk, a portfolio, its margin health and VaR table, typed', async () => {
    const c = client(MANAGER);
    const desk = await c.getDeskOverview('default');
    expect(desk.portfolios.map((p) => p.portfolioId)).toEqual(['sdk-1']);
    const health = await c.getMarginHealth('sdk-1');
    expect(health.health.thresholds).toEqual({ warning: 50, marginCall: 30, liquidation: 15 });
    expect(health.liquidationPrices.length).toBeGreaterThan(0);
    const v = await c.getVar('sdk-1');
    expect(v.risk?.figures.length).toBeGreaterThan(0);
    const e = await c.getPortfolioExposure('sdk-1');
    expect(e.exposures.length).toBeGreaterThan(0);
  });

  it('raises typed errors: 404 NotFoundError, 403 PermissionError, 401 AuthenticationError', async () => {
    await expect(client(MANAGER).getPortfolio('nobody')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client(HEAD).getPortfolio('sdk-2')).rejects.toBeInstanceOf(PermissionError);
    await expect(client('').getDeskOverview('default')).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('after a 10-minute outage, every alert raised meanwhile arrives once and in order', async () => {
    // The client's clock: its backoff waits pass in virtual time, a few real milliseconds each.
    let virtualMs = 0;
    const c = client(MANAGER, {
      sleep: (ms, signal) => {
        virtualMs += ms;
        return new Promise((r) => {
          const t = setTimeout(r, Math.min(ms, 10));
          signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
        });
      },
    });
    const got: FeedAlert[] = [];
    const states: ConnectionState[] = [];
    const sub = c.subscribeToAlerts({
      deskId: 'default',
      onAlert: (a) => got.push(a),
      onStateChange: (s) => states.push(s),
      backoff: { initialMs: 500, maxMs: 30_000 },
    });
    try {
      await until('live', () => sub.state === 'live');
      const first = marginAlert('sdk-1', 'default');
      await recordAlert({ store, clock: systemClock }, { source: 'alerts.margin.v1', alert: first });
      await until('the live alert', () => got.length === 1);

      // The server goes away; alerts keep being recorded (one for another desk, which this client must not get).
      await stopRiskApi(api);
      const missed: string[] = [];
      for (let i = 0; i < 12; i++) {
        const desk = i === 5 ? 'rates' : 'default';
        const a = marginAlert(desk === 'rates' ? 'sdk-2' : 'sdk-1', desk);
        await recordAlert({ store, clock: systemClock }, { source: 'alerts.margin.v1', alert: a });
        if (desk === 'default') missed.push(a.eventId);
      }
      await until('ten minutes of backoff', () => virtualMs >= 600_000, 60_000);
      expect(sub.state === 'backoff' || sub.state === 'resyncing').toBe(true);
      await new Promise((r) => setTimeout(r, FEED_SETTLE_MS));
      api = await serveRiskApi(platform, api.port); // a restarted server: nothing of the old one's memory

      await until('the missed alerts', () => got.length >= 1 + missed.length);
      await until('live again', () => sub.state === 'live');
      expect(got.map((a) => a.alertId)).toEqual([first.eventId, ...missed]);
      expect(new Set(got.map((a) => a.alertId)).size).toBe(got.length);
      // It said where it was: down, backing off, replaying, live.
      const after = states.slice(states.indexOf('live') + 1);
      expect(after).toEqual(expect.arrayContaining(['backoff', 'resyncing', 'live']));
      expect(after.indexOf('backoff')).toBeLessThan(after.lastIndexOf('live'));
    } finally {
      sub.close();
    }
    expect(sub.state).toBe('closed');
  });
});
