/**
 * evaluateRiskLimits through its deployed wiring, with Firestore on the emulator (limit states, outbox,
 * breakers, stops), DuckDB as the warehouse (risk.risk_violations, risk.emergency_stops) and a memory bus:
 * - one batch delivered four times, two of them at once, yields each event's alert and row exactly once, and
 *   every outbox entry ends delivered;
 * - a desk's breaker trips on the third hard violation and the desk is HALTED, announced once;
 * - a stored policy that turns invalid is announced (POLICY_INVALID) and its last valid version keeps judging.
 */
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import type { SchemaTypes } from '../../../shared/contracts/schema-types';
import { validate } from '../../../shared/contracts/validation';
import type { RiskPolicy } from '../../../shared/domain/controls/policy';
import { ManualClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import { CONTROLS_COLLECTIONS as C } from '../../../shared/use-cases/controls/controls-store';
import { evaluateRiskLimits } from '../../../functions/evaluate-risk-limits/wiring';
import { localPlatform } from '../../../local-stack/platform';
import { CapturingSink } from '../../support/capturing-sink';
import { emulatorHosts, isolatedProjectId } from '../../support/env';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { pubsubPush } from '../../support/pubsub-push';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type PortfolioRisk = SchemaTypes['shared/portfolio-risk'];
type RiskAlert = SchemaTypes['messages/alerts.risk.v1'];

const T0 = new Date('2020-03-12T14:00:00Z');
const base = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/schemas/shared/portfolio-risk/good.json'), 'utf8'),
) as PortfolioRisk;

const desk: RiskPolicy = {
  policyId: 'desk-em',
  version: 1,
  scope: { level: 'desk', deskId: 'em' },
  enabled: true,
  effectiveFrom: '2020-01-01T00:00:00Z',
  breaker: { hardEvents: 3, windowSeconds: 60 },
  rules: [
    { ruleId: 'lev-warn', metric: 'leverage', operator: '>', threshold: 2, kind: 'soft' },
    { ruleId: 'lev-max', metric: 'leverage', operator: '>', threshold: 3, kind: 'hard' },
  ],
};

function risk(portfolioId: string, minute: number, leverage: number): PortfolioRisk {
  const asOf = new Date(T0.getTime() + minute * 60_000).toISOString();
  return {
    ...base,
    portfolioId,
    deskId: 'em',
    tickId: `tick-${minute}`,
    asOf,
    metrics: { ...base.metrics, leverage },
  };
}

async function world(label: string) {
  const projectId = isolatedProjectId(label);
  const store = new FirestoreDocumentStore({ projectId, emulatorHost: emulatorHosts().firestoreHost });
  const warehouse = await DuckDbWarehouse.open();
  const bus = new MemoryEventBus();
  const clock = new ManualClock(new Date(T0.getTime() + 2000));
  const logger = new StructuredLogger({ sink: new CapturingSink().sink, projectId });
  const platform = localPlatform({
    env: { ENVIRONMENT: 'local' },
    bus,
    store,
    warehouse,
    clock,
    logger,
    secrets: { get: async (name) => Promise.reject(new Error(`no secret ${name}`)) },
  });
  const handler = evaluateRiskLimits.serve(async () => platform);
  const deliver = (portfolios: PortfolioRisk[], messageId?: string) =>
    handler(
      pubsubPush(
        { tickId: portfolios[0].tickId, asOf: portfolios[0].asOf, shard: 0, portfolios },
        projectId,
        {
          topic: 'risk.portfolio-risk.v1',
          subscription: 'evaluate-risk-limits.portfolio-risk',
          messageId,
        },
      ),
    );
  /** Pub/Sub redelivers a failed delivery (here: at once, a few times). */
  const deliverUntilAcked = async (portfolios: PortfolioRisk[], messageId: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await deliver(portfolios, messageId);
      } catch (err) {
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 50));
      }
    }
  };
  const alerts = () =>
    bus.messages
      .filter((m) => m.topic === 'alerts.risk.v1')
      .map((m) => validate('messages/alerts.risk.v1', m.data) as RiskAlert);
  const putPolicy = (policy: unknown, id = 'desk-em') =>
    store.set(C.policies, id, { policy, updatedBy: 'alice@desk.example', updatedAt: T0.toISOString() });
  const close = async () => {
    await store.close();
    await warehouse.close();
  };
  return { store, warehouse, clock, deliver, deliverUntilAcked, alerts, putPolicy, close };
}

describe('evaluateRiskLimits with Firestore (emulator) and DuckDB', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of closers) await c();
  });

  it('delivers each violation once under redelivery and concurrent deliveries, and the third hard one halts the desk', async () => {
    const w = await world('limits-once');
    closers.push(w.close);
    await w.putPolicy(desk);
    const tick = [risk('em-1', 0, 2.5), risk('em-2', 0, 4), risk('em-3', 0, 1.2)];
    await Promise.all([w.deliverUntilAcked(tick, 'm-1'), w.deliverUntilAcked(tick, 'm-1')]);
    await w.deliverUntilAcked(tick, 'm-1');
    await w.deliverUntilAcked(tick, 'm-2');
    const limit = w.alerts().filter((a) => a.kind === 'RISK_LIMIT_BREACHED');
    // em-1: soft only; em-2: soft and hard (both rules break); em-3: nothing.
    expect(limit.map((a) => `${a.portfolioId}:${a.ruleId}:${a.severity}`).sort()).toEqual([
      'em-1:lev-warn:WARNING',
      'em-2:lev-max:CRITICAL',
      'em-2:lev-warn:WARNING',
    ]);
    const rows = await w.warehouse.query<{ event_id: string }>(
      'SELECT event_id FROM risk.risk_violations ORDER BY event_id',
    );
    expect(rows.map((r) => r.event_id)).toEqual(limit.map((a) => a.eventId).sort());
    const pending = await w.store.query(C.limitOutbox, [{ field: 'delivered', op: '==', value: false }]);
    expect(pending).toEqual([]);

    // Two more portfolios break the hard rule within the minute: the third hard event trips the desk's breaker.
    // 59 s after the first: the window (60 s) still holds it.
    w.clock.set(new Date(T0.getTime() + 61_000));
    await w.deliverUntilAcked([risk('em-4', 1, 5), risk('em-5', 1, 6)], 'm-3');
    const stops = w.alerts().filter((a) => a.kind === 'STOP_CHANGED');
    expect(stops).toEqual([
      expect.objectContaining({
        scopeKey: 'desk:em',
        stateAfter: 'HALTED',
        trigger: 'breaker',
        severity: 'CRITICAL',
      }),
    ]);
    expect(await w.store.get(C.stops, 'desk:em')).toMatchObject({ state: 'HALTED', version: 1 });
    const stopRows = await w.warehouse.query<{ audit_id: string; trigger: string }>(
      'SELECT audit_id, trigger FROM risk.emergency_stops',
    );
    expect(stopRows).toEqual([{ audit_id: 'desk:em:1', trigger: 'breaker' }]);
  });

  it('announces a stored policy that turned invalid, and keeps judging with its last valid version', async () => {
    const w = await world('limits-invalid');
    closers.push(w.close);
    await w.putPolicy(desk);
    await w.deliverUntilAcked([risk('em-1', 0, 1)], 'm-1');
    // Someone writes the document by hand, bypassing riskAdmin: thresholds that make no sense.
    await w.putPolicy({ ...desk, version: 2, rules: [{ ...desk.rules[1], threshold: 'three' }] });
    w.clock.set(new Date(T0.getTime() + 62_000));
    await w.deliverUntilAcked([risk('em-1', 1, 3.5)], 'm-2');
    const invalid = w.alerts().filter((a) => a.kind === 'POLICY_INVALID');
    expect(invalid).toEqual([
      expect.objectContaining({
        policyId: 'desk-em',
        policyVersion: 2,
        scopeKey: 'desk:em',
        severity: 'CRITICAL',
      }),
    ]);
    expect(invalid[0].problems?.join(' ')).toMatch(/threshold/);
    // Version 1's hard rule still judged the tick.
    expect(
      w
        .alerts()
        .filter((a) => a.kind === 'RISK_LIMIT_BREACHED')
        .map((a) => `${a.ruleId}@${a.policyVersion}`),
    ).toEqual(expect.arrayContaining(['lev-max@1']));
  });
});
