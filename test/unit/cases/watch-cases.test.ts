import { ManualClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import {
  CASE_COLLECTIONS,
  linkToCase,
  readTrail,
  type CaseDoc,
  type CaseLink,
} from '../../../shared/use-cases/cases/case-store';
import { watchCases, type CaseAlert } from '../../../shared/use-cases/cases/watch-cases';
import { CapturingSink } from '../../support/capturing-sink';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { MemoryWarehouse } from '../../support/memory/memory-warehouse';

const link = (id: string, severity: CaseLink['severity']): CaseLink => ({
  kind: 'aml_alert',
  id,
  severity,
  at: '2026-12-04T08:00:00.000Z',
});

function setup() {
  const clock = new ManualClock('2026-12-04T08:00:00.000Z');
  const deps = {
    store: new MemoryDocumentStore(),
    bus: new MemoryEventBus(),
    warehouse: new MemoryWarehouse(),
    clock,
    logger: new StructuredLogger({ sink: new CapturingSink().sink }),
  };
  const alerts = () =>
    deps.bus.messages.filter((m) => m.topic === 'alerts.cases.v1').map((m) => m.data as CaseAlert);
  const at = (iso: string) => clock.set(new Date(iso));
  return { deps, clock, alerts, at };
}

describe('watchCases: service-level deadlines', () => {
  it('tells the team once when a CRITICAL case is at risk (3 h) and once when it is breached (4 h), at the exact boundaries', async () => {
    const { deps, alerts, at } = setup();
    const { caseId } = await linkToCase(deps, 'user-7', link('aa_1', 'CRITICAL'), 'r1');
    at('2026-12-04T10:59:59.999Z');
    expect((await watchCases(deps)).alerts).toEqual([]);
    at('2026-12-04T11:00:00.000Z');
    expect((await watchCases(deps)).alerts.map((a) => a.kind)).toEqual(['SLA_AT_RISK']);
    at('2026-12-04T11:30:00.000Z');
    expect((await watchCases(deps)).alerts).toEqual([]);
    at('2026-12-04T11:59:59.999Z');
    expect((await watchCases(deps)).alerts).toEqual([]);
    at('2026-12-04T12:00:00.000Z');
    expect((await watchCases(deps)).alerts.map((a) => a.kind)).toEqual(['SLA_BREACHED']);
    at('2026-12-04T12:01:00.000Z');
    expect((await watchCases(deps)).alerts).toEqual([]);
    expect(alerts().map((a) => [a.kind, a.severity, a.caseId, a.dueAt])).toEqual([
      ['SLA_AT_RISK', 'WARNING', caseId, '2026-12-04T12:00:00.000Z'],
      ['SLA_BREACHED', 'CRITICAL', caseId, '2026-12-04T12:00:00.000Z'],
    ]);
    // Ids only: the customer's opaque id, never a name.
    expect(alerts()[0]).toMatchObject({ subjectId: 'user-7', assignee: null, caseState: 'open' });
    const trail = await readTrail(deps.store, caseId);
    expect(trail.map((e) => e.action)).toEqual(['case_opened', 'sla_at_risk', 'sla_breached']);
  });

  it('says nothing about a case decided in time', async () => {
    const { deps, at } = setup();
    const { caseId } = await linkToCase(deps, 'user-7', link('aa_1', 'WARNING'), 'r1');
    const c = await deps.store.get<CaseDoc>(CASE_COLLECTIONS.cases, caseId);
    await deps.store.set(CASE_COLLECTIONS.cases, caseId, { ...c, open: false, state: 'closed' });
    at('2026-12-06T00:00:00.000Z');
    expect(await watchCases(deps)).toMatchObject({ checked: 0, alerts: [] });
  });

  it('repeats the same alert id if the case could not record the notice (publish, then mark)', async () => {
    const { deps, alerts, at } = setup();
    await linkToCase(deps, 'user-7', link('aa_1', 'CRITICAL'), 'r1');
    at('2026-12-04T12:00:00.000Z');
    const realRun = deps.store.runTransaction.bind(deps.store);
    let fail = true;
    deps.store.runTransaction = (async (fn: Parameters<typeof realRun>[0]) => {
      if (fail) {
        fail = false;
        throw new Error('store unavailable (injected)');
      }
      return realRun(fn);
    }) as typeof deps.store.runTransaction;
    await expect(watchCases(deps)).rejects.toThrow('store unavailable');
    await watchCases(deps);
    expect(alerts()).toHaveLength(2);
    expect(alerts()[0].alertId).toBe(alerts()[1].alertId);
  });

  it('warns again when a more severe concern tightens the deadline of a case already reported at risk', async () => {
    const { deps, alerts, at } = setup();
    await linkToCase(deps, 'user-7', link('aa_1', 'WARNING'), 'r1');
    at('2026-12-05T02:00:00.000Z'); // 18 h of 24: at risk
    await watchCases(deps);
    await linkToCase(deps, 'user-7', link('aa_2', 'CRITICAL'), 'r2'); // due 06:00 instead of 08:00
    at('2026-12-05T05:00:00.000Z');
    await watchCases(deps);
    expect(alerts().map((a) => [a.kind, a.dueAt])).toEqual([
      ['SLA_AT_RISK', '2026-12-05T08:00:00.000Z'],
      ['SLA_AT_RISK', '2026-12-05T06:00:00.000Z'],
    ]);
  });

  it('mirrors trail events a failed insert left queued', async () => {
    const { deps } = setup();
    deps.warehouse.failNext = 1;
    await linkToCase(deps, 'user-7', link('aa_1', 'INFO'), 'r1');
    expect(deps.warehouse.rows('compliance.case_events')).toHaveLength(0);
    expect((await watchCases(deps)).mirrored).toBe(1);
    expect(deps.warehouse.rows('compliance.case_events')).toHaveLength(1);
  });
});
