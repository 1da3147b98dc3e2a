/**
 * Every function of shared/contracts/topology.json, registered under its own name exactly as its entry point does, and
 * called the way production calls it, through the Functions Framework's test server: Pub/Sub's push envelope on
 * `/projects/<p>/topics/<t>` for consumers, Cloud Scheduler's POST for jobs, the caller's request for the HTTP
 * APIs. Each function runs its one wiring (functions/registry.ts) on an in-memory store and bus, the embedded
 * warehouse and the local stack's provider servers (Chainlink, Pyth, Persona, SendGrid, Twilio).
 */
import * as ff from '@google-cloud/functions-framework';
import { getFunction, getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { WIRINGS } from '../../functions/registry';
import { LOCAL_RISK_OPERATOR, startControlsArea } from '../../local-stack/areas/controls';
import { startKycArea, LOCAL_PERSONA } from '../../local-stack/areas/kyc';
import { LOCAL_PREFERENCES_ADMIN, startNotificationsArea } from '../../local-stack/areas/notifications';
import { startOperationsArea } from '../../local-stack/areas/operations';
import type { LocalArea } from '../../local-stack/areas/types';
import { LocalSecrets, localPlatform } from '../../local-stack/platform';
import {
  chainlinkFeedSpecs,
  startChainlinkRpcServer,
} from '../../local-stack/providers/chainlink-rpc-server';
import { pythFeedSpecs, startPythHermesServer } from '../../local-stack/providers/pyth-hermes-server';
import { DuckDbWarehouse } from '../../shared/adapters/local/duckdb-warehouse';
import { MemoryDocumentStore } from '../support/memory/memory-document-store';
import { MemoryEventBus } from '../support/memory/memory-event-bus';
import { personaSignatureHeader } from '../../shared/domain/kyc/signature';
import { ManualClock } from '../../shared/platform/clocks';
import { readPriceSourcesConfig } from '../../shared/platform/config/prices';
import { StructuredLogger } from '../../shared/platform/logger';
import { FUNCTIONS, SUBSCRIPTIONS, type FunctionName } from '../../shared/topology/topology';
import { CapturingSink } from '../support/capturing-sink';
import { historicalPrices } from '../support/env';
import { event } from '../support/kyc-support';
import { loadFixtures } from '../unit/contracts/schema-fixtures';

const PROJECT = 'fusion-by-name';
const clock = new ManualClock('2024-08-05T12:00:30Z');
const bus = new MemoryEventBus();
const store = new MemoryDocumentStore();
const sink = new CapturingSink();
let warehouse: DuckDbWarehouse;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  warehouse = await DuckDbWarehouse.open(':memory:');
  const secrets = new LocalSecrets();
  let env: NodeJS.ProcessEnv = {
    ENVIRONMENT: 'local',
    GOOGLE_CLOUD_PROJECT: PROJECT,
    PRICE_ASSETS: 'BTC,ETH',
  };
  const feeds = readPriceSourcesConfig(env).feeds;
  const chainlink = await startChainlinkRpcServer({
    feeds: chainlinkFeedSpecs(feeds),
    price: historicalPrices(),
    clock,
  });
  const pyth = await startPythHermesServer({ feeds: pythFeedSpecs(feeds), price: historicalPrices(), clock });
  closers.push(
    () => chainlink.close(),
    () => pyth.close(),
  );
  secrets.values.set('CHAINLINK_RPC_URL', chainlink.url);
  env = { ...env, PYTH_HERMES_URL: pyth.url };
  const ctx = { projectId: PROJECT, warehouse, clock, secrets, env };
  const areas: LocalArea[] = [
    await startKycArea(ctx),
    await startNotificationsArea(ctx),
    await startOperationsArea({ ...ctx, projectId: `${PROJECT}-${process.pid}` }),
    await startControlsArea(ctx),
  ];
  for (const a of areas) {
    env = { ...env, ...a.env };
    if (a.close) closers.push(a.close);
  }
  const logger = new StructuredLogger({ sink: sink.sink, projectId: PROJECT });
  const platform = localPlatform({ env, bus, store, warehouse, secrets, clock, logger });
  // What each entry point does (functions/runtime/register.ts), on this platform instead of Google Cloud's.
  for (const f of FUNCTIONS) {
    const wiring = WIRINGS[f.name];
    if (wiring.trigger === 'http')
      ff.http(
        f.name,
        wiring.serve(async () => platform),
      );
    else
      ff.cloudEvent(
        f.name,
        wiring.serve(async () => platform),
      );
  }
});

afterAll(async () => {
  for (const close of closers) await close();
  await warehouse.close();
});

const server = (fn: FunctionName) => getTestServer(fn);
let messageSeq = 0;

/** What a Pub/Sub push subscription POSTs to its endpoint. */
function push(fn: FunctionName, topic: string, subscription: string, data: Buffer) {
  return request(server(fn))
    .post(`/projects/${PROJECT}/topics/${topic}`)
    .set('content-type', 'application/json')
    .send({
      message: {
        data: data.toString('base64'),
        attributes: {},
        messageId: String(900_000 + ++messageSeq),
        publishTime: clock.now().toISOString(),
      },
      subscription: `projects/${PROJECT}/subscriptions/${subscription}`,
    });
}

const deadLettersBy = (fn: FunctionName) =>
  bus.messages.filter((m) => m.topic === 'dead-letter.v1' && m.attributes['fusion-rejected-by'] === fn);

describe('every topology function is registered under its name with its topology trigger', () => {
  it.each(FUNCTIONS.map((f) => [f.name, f.trigger] as const))('%s (%s)', (name, trigger) => {
    expect(WIRINGS[name].name).toBe(name);
    expect(WIRINGS[name].trigger).toBe(trigger);
    expect(typeof getFunction(name)).toBe('function');
  });
});

describe('Pub/Sub consumers, pushed as Pub/Sub pushes', () => {
  it.each(SUBSCRIPTIONS.map((s) => [s.function, s.topic, s.name] as const))(
    '%s takes a valid %s message, and dead-letters a malformed one under its own name',
    async (fn, topic, subscription) => {
      const good = loadFixtures(`messages/${topic}`).base;
      const before = deadLettersBy(fn).length;
      const ok = await push(fn, topic, subscription, Buffer.from(JSON.stringify(good)));
      expect(ok.status).toBeLessThan(300);
      expect(deadLettersBy(fn).length).toBe(before);

      const bad = await push(fn, topic, subscription, Buffer.from('{"not json'));
      expect(bad.status).toBeLessThan(300); // acknowledged: a permanent failure is never retried
      const letters = deadLettersBy(fn);
      expect(letters).toHaveLength(before + 1);
      expect(letters.at(-1)?.attributes).toMatchObject({
        'fusion-reason': 'malformed-json',
        'fusion-source-topic': topic,
      });
    },
  );

  it('computePortfolioRisk stores the positions it was pushed', async () => {
    const positions = loadFixtures('messages/portfolio.positions.v1').base as { portfolioId: string };
    expect(await store.get('portfolios', positions.portfolioId)).toBeDefined();
  });

  it('log lines name the function that wrote them', () => {
    const names = new Set(sink.entries().map((e) => e.functionName));
    expect(names.has('evaluateAml')).toBe(true);
    expect(names.has('computePortfolioRisk')).toBe(true);
    expect(names.has(undefined)).toBe(false);
  });
});

describe('HTTP functions, called as their callers call them', () => {
  it('ingestPrices: a Cloud Scheduler POST ingests a tick from the local Chainlink and Pyth', async () => {
    const res = await request(server('ingestPrices')).post('/').set('user-agent', 'Google-Cloud-Scheduler');
    expect(res.status).toBe(200);
    expect(res.body.tickId).toBe('tick-20240805T1200Z');
    expect(res.body.published.map((p: { asset: string }) => p.asset).sort()).toEqual(['BTC', 'ETH']);
    expect(bus.on('market.prices.v1').length).toBeGreaterThan(0);
  });

  it('refreshMaterializedViews and archiveColdData: Scheduler POSTs succeed on the embedded warehouse', async () => {
    const refresh = await request(server('refreshMaterializedViews')).post('/');
    expect(refresh.status).toBe(200);
    expect(refresh.body.failed).toBe(0);
    const archive = await request(server('archiveColdData')).post('/');
    expect(archive.status).toBe(200);
    expect(archive.body.failed).toBe(0);
  });

  it('personaWebhook: a delivery signed like Persona is applied; an unsigned one is refused', async () => {
    const body = event('evt_ByName0001', 'inquiry.approved', '2024-08-05T11:59:00.000Z');
    const t = Math.floor(clock.now().getTime() / 1000);
    const signed = await request(server('personaWebhook'))
      .post('/')
      .set('content-type', 'application/json')
      .set('persona-signature', personaSignatureHeader([LOCAL_PERSONA.webhookSecret], t, body))
      .send(body);
    expect(signed.status).toBe(200);
    expect(signed.body.outcome).toBe('applied');
    const unsigned = await request(server('personaWebhook'))
      .post('/')
      .set('content-type', 'application/json')
      .send(body);
    expect(unsigned.status).toBe(401);
  });

  it('startKyc: an identified caller opens an inquiry at the local Persona, or gets the decided case', async () => {
    const start = (userId: string) =>
      request(server('startKyc'))
        .post('/')
        .set('authorization', 'Bearer local:onboarding@fusion-risk.local')
        .send({ ...(loadFixtures('inputs/persona-start-kyc').base as object), userId });
    const fresh = await start('user-by-name');
    expect(fresh.status).toBe(201);
    expect(fresh.body.source).toBe('new-inquiry');
    // user-alice was approved by the webhook delivery above: answered from the case, Persona not called.
    const decided = await start('user-alice');
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ source: 'cache', status: 'approved' });
    expect((await request(server('startKyc')).post('/').send({})).status).toBe(401);
  });

  it('notificationPreferences: the desk administrator is told an unknown recipient is absent', async () => {
    const res = await request(server('notificationPreferences'))
      .get('/recipients/nobody/preferences')
      .set('authorization', `Bearer local:${LOCAL_PREFERENCES_ADMIN}`);
    expect(res.status).toBe(404);
    expect(
      (await request(server('notificationPreferences')).get('/recipients/nobody/preferences')).status,
    ).toBe(401);
  });

  it('riskAdmin: an operator halts a desk (audited, recorded, alerted); a stranger is refused', async () => {
    const engage = (who: string) =>
      request(server('riskAdmin'))
        .post('/stops/engage')
        .set('authorization', `Bearer local:${who}`)
        .send({ scope: { level: 'desk', deskId: 'by-name' }, state: 'HALTED', reason: 'drill' });
    const res = await engage(LOCAL_RISK_OPERATOR);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ changed: true, auditId: 'desk:by-name:1', stop: { state: 'HALTED' } });
    expect(
      bus.messages.filter((m) => m.topic === 'alerts.risk.v1').map((m) => (m.data as { kind: string }).kind),
    ).toEqual(['STOP_CHANGED']);
    const rows = await warehouse.query<{ audit_id: string }>('SELECT audit_id FROM risk.emergency_stops');
    expect(rows.map((r) => r.audit_id)).toEqual(['desk:by-name:1']);
    expect((await engage('someone@fusion-risk.local')).status).toBe(403);
    expect((await request(server('riskAdmin')).get('/stops')).status).toBe(401);
  });
});
