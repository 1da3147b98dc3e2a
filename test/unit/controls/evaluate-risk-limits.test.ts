/**
 * Continuous evaluation (evaluateRiskLimits) on in-memory ports: what a risk manager sees when a portfolio
 * breaks a rule — one alert when it starts and one when it clears, a row for each, the breaker counting hard
 * violations, an emergency rule halting its scope — and that redelivery, reordering and failures between the
 * steps never lose or repeat any of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaTypes } from '../../../shared/contracts/schema-types';
import { validate } from '../../../shared/contracts/validation';
import { DEFAULT_RISK_POLICY } from '../../../shared/domain/controls/default-policy';
import type { RiskPolicy } from '../../../shared/domain/controls/policy';
import type { StopRecord } from '../../../shared/domain/controls/stops';
import { ManualClock } from '../../../shared/platform/clocks';
import { RetryableError } from '../../../shared/platform/errors';
import { StructuredLogger } from '../../../shared/platform/logger';
import { CONTROLS_COLLECTIONS as C } from '../../../shared/use-cases/controls/controls-store';
import { PolicyCache } from '../../../shared/use-cases/controls/policy-cache';
import {
  evaluateRiskLimitsBatch,
  type LimitDeps,
  type LimitOutboxDoc,
} from '../../../shared/use-cases/evaluate-risk-limits';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { MemoryWarehouse } from '../../support/memory/memory-warehouse';

type PortfolioRisk = SchemaTypes['shared/portfolio-risk'];
type RiskAlert = SchemaTypes['messages/alerts.risk.v1'];

const T0 = new Date('2020-03-12T14:00:00Z');
const base = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/schemas/shared/portfolio-risk/good.json'), 'utf8'),
) as PortfolioRisk;

/** A tick's risk message for one portfolio with the given equity and leverage. */
function risk(
  portfolioId: string,
  deskId: string,
  minute: number,
  o: { equityUsd?: number; leverage?: number | null } = {},
): PortfolioRisk {
  const equityUsd = o.equityUsd ?? base.metrics.equityUsd;
  const asOf = new Date(T0.getTime() + minute * 60_000).toISOString();
  return {
    ...base,
    portfolioId,
    deskId,
    tickId: `tick-${asOf}`,
    asOf,
    metrics: {
      ...base.metrics,
      equityUsd,
      equityState: equityUsd > 0 ? 'POSITIVE' : equityUsd === 0 ? 'ZERO' : 'NEGATIVE',
      leverage: equityUsd > 0 ? (o.leverage ?? base.metrics.leverage) : null,
    },
  };
}

function batch(...portfolios: PortfolioRisk[]) {
  return { tickId: portfolios[0].tickId, asOf: portfolios[0].asOf, shard: null, portfolios };
}

const deskPolicy = (rules: RiskPolicy['rules'], extra: Partial<RiskPolicy> = {}): RiskPolicy => ({
  policyId: 'desk-em',
  version: 2,
  scope: { level: 'desk', deskId: 'em' },
  enabled: true,
  effectiveFrom: '2020-01-01T00:00:00Z',
  rules,
  ...extra,
});

const LEVERAGE_SOFT = {
  ruleId: 'lev-warn',
  metric: 'leverage',
  operator: '>',
  threshold: 2,
  kind: 'soft',
} as const;
const LEVERAGE_HARD = {
  ruleId: 'lev-max',
  metric: 'leverage',
  operator: '>',
  threshold: 3,
  kind: 'hard',
} as const;

async function setup(policies: RiskPolicy[] = []) {
  const store = new MemoryDocumentStore();
  for (const p of policies)
    await store.set(C.policies, p.policyId, { policy: p, updatedBy: 'alice', updatedAt: T0.toISOString() });
  const bus = new MemoryEventBus();
  const warehouse = new MemoryWarehouse();
  const clock = new ManualClock(T0);
  const logger = new StructuredLogger({ sink: () => undefined });
  const deps: LimitDeps = {
    store,
    bus,
    warehouse,
    clock,
    logger,
    policies: new PolicyCache(store, clock, logger, { refreshMs: 0 }),
  };
  const alerts = () =>
    bus.messages
      .filter((m) => m.topic === 'alerts.risk.v1')
      .map((m) => validate('messages/alerts.risk.v1', m.data));
  const limitAlerts = () => alerts().filter((a) => a.kind.startsWith('RISK_LIMIT'));
  const stopAlerts = () => alerts().filter((a) => a.kind === 'STOP_CHANGED');
  const stop = (key: string) => store.get<StopRecord & Record<string, unknown>>(C.stops, key);
  const at = (minute: number, seconds = 2) =>
    clock.set(new Date(T0.getTime() + minute * 60_000 + seconds * 1000));
  return { store, bus, warehouse, clock, deps, alerts, limitAlerts, stopAlerts, stop, at };
}

describe('continuous evaluation: events, not repeats', () => {
  it('negative equity under the default policy: one CRITICAL breach, silence while it lasts, one INFO clearance', async () => {
    const s = await setup();
    s.at(0);
    await evaluateRiskLimitsBatch(s.deps, batch(risk('pf-1', 'default', 0, { equityUsd: -1250.5 })));
    s.at(1);
    await evaluateRiskLimitsBatch(s.deps, batch(risk('pf-1', 'default', 1, { equityUsd: -900 })));
    expect(s.limitAlerts()).toHaveLength(1);
    const [breach] = s.limitAlerts();
    expect(breach).toMatchObject<Partial<RiskAlert>>({
      kind: 'RISK_LIMIT_BREACHED',
      severity: 'CRITICAL',
      scopeKey: 'portfolio:pf-1',
      portfolioId: 'pf-1',
      deskId: 'default',
      policyId: 'default',
      ruleId: 'negative-equity',
      ruleKind: 'hard',
      metric: 'equityUsd',
      operator: '<',
      threshold: 0,
      value: -1250.5,
      at: T0.toISOString(),
    });
    s.at(2);
    await evaluateRiskLimitsBatch(s.deps, batch(risk('pf-1', 'default', 2, { equityUsd: 10_000 })));
    const cleared = s.limitAlerts()[1];
    expect(cleared).toMatchObject({ kind: 'RISK_LIMIT_CLEARED', severity: 'INFO', since: T0.toISOString() });
    const rows = s.warehouse.rows('risk.risk_violations');
    expect(rows.map((r) => [r.transition, r.rule_id, r.policy_scope, r.value])).toEqual(
      expect.arrayContaining([
        ['STARTED', 'negative-equity', 'global', -1250.5],
        // A clearance carries the last value seen while violated.
        ['CLEARED', 'negative-equity', 'global', -900],
      ]),
    );
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.event_id).sort()).toEqual([breach.eventId, cleared.eventId].sort());
  });

  it('a desk rule judges that desk only; soft warns (WARNING) and counts toward no breaker', async () => {
    const s = await setup([deskPolicy([LEVERAGE_SOFT], { breaker: { hardEvents: 1, windowSeconds: 60 } })]);
    s.at(0);
    await evaluateRiskLimitsBatch(
      s.deps,
      batch(risk('em-1', 'em', 0, { leverage: 2.5 }), risk('eu-1', 'eu', 0, { leverage: 2.5 })),
    );
    expect(s.limitAlerts().map((a) => [a.portfolioId, a.severity, a.ruleId, a.value])).toEqual([
      ['em-1', 'WARNING', 'lev-warn', 2.5],
    ]);
    expect(await s.store.get(C.breakers, 'desk:em')).toBeUndefined();
    expect(s.stopAlerts()).toEqual([]);
  });

  it('at the threshold exactly a strict rule holds; a hair above it breaks', async () => {
    const s = await setup([deskPolicy([LEVERAGE_HARD])]);
    s.at(0);
    await evaluateRiskLimitsBatch(s.deps, batch(risk('em-1', 'em', 0, { leverage: 3 })));
    expect(s.limitAlerts()).toEqual([]);
    s.at(1);
    await evaluateRiskLimitsBatch(s.deps, batch(risk('em-1', 'em', 1, { leverage: 3.0001 })));
    expect(s.limitAlerts().map((a) => a.kind)).toEqual(['RISK_LIMIT_BREACHED']);
  });

  it('a rule removed from the policy clears like one that stopped firing', async () => {
    const s = await setup([deskPolicy([LEVERAGE_HARD])]);
    s.at(0);
    await evaluateRiskLimitsBatch(s.deps, batch(risk('em-1', 'em', 0, { leverage: 4 })));
    await s.store.set(C.policies, 'desk-em', {
      policy: deskPolicy([], { version: 3 }),
      updatedBy: 'alice',
      updatedAt: T0.toISOString(),
    });
    s.at(1);
    await evaluateRiskLimitsBatch(s.deps, batch(risk('em-1', 'em', 1, { leverage: 4 })));
    expect(s.limitAlerts().map((a) => `${a.kind}:${a.ruleId}`)).toEqual([
      'RISK_LIMIT_BREACHED:lev-max',
      'RISK_LIMIT_CLEARED:lev-max',
    ]);
  });
});

describe('exactly once', () => {
  it('a redelivered batch and an older tick arriving late change nothing', async () => {
    const s = await setup([deskPolicy([LEVERAGE_HARD])]);
    s.at(1);
    const tick1 = batch(risk('em-1', 'em', 1, { leverage: 4 }));
    const first = await evaluateRiskLimitsBatch(s.deps, tick1);
    const again = await evaluateRiskLimitsBatch(s.deps, tick1);
    // Tick 0 (healthy) arrives after tick 1: stale, so it does not clear the violation.
    const late = await evaluateRiskLimitsBatch(s.deps, batch(risk('em-1', 'em', 0, { leverage: 1 })));
    expect(first[0].events).toHaveLength(1);
    expect(again[0]).toMatchObject({ applied: true, events: [], delivered: [] });
    expect(late[0]).toMatchObject({ applied: false, events: [] });
    expect(s.limitAlerts()).toHaveLength(1);
    expect(s.warehouse.rows('risk.risk_violations')).toHaveLength(1);
  });

  it('a failed publish is retried by the redelivery; a failed row does not hold the alert back nor repeat it', async () => {
    const s = await setup([deskPolicy([LEVERAGE_HARD])]);
    s.at(0);
    const tick = batch(risk('em-1', 'em', 0, { leverage: 4 }));
    s.bus.failNext = 1;
    await expect(evaluateRiskLimitsBatch(s.deps, tick)).rejects.toThrow(/publish failed/);
    expect(s.limitAlerts()).toEqual([]);
    s.warehouse.failNext = 1;
    await expect(evaluateRiskLimitsBatch(s.deps, tick)).rejects.toThrow(/warehouse unavailable/);
    expect(s.limitAlerts()).toHaveLength(1);
    expect(s.warehouse.rows('risk.risk_violations')).toEqual([]);
    const done = await evaluateRiskLimitsBatch(s.deps, tick);
    expect(done[0].delivered).toHaveLength(1);
    expect(s.limitAlerts()).toHaveLength(1);
    expect(s.warehouse.rows('risk.risk_violations')).toHaveLength(1);
    const outbox = await s.store.get<LimitOutboxDoc>(C.limitOutbox, done[0].delivered[0]);
    expect(outbox).toMatchObject({ delivered: true, published: true, controlsApplied: true });
  });

  it('without readable policies nothing is judged and the batch is retried', async () => {
    const s = await setup();
    s.deps.policies = { current: async () => null };
    s.at(0);
    await expect(
      evaluateRiskLimitsBatch(s.deps, batch(risk('pf-1', 'default', 0, { equityUsd: -5 }))),
    ).rejects.toThrow(RetryableError);
    expect(await s.store.get(C.limitStates, 'pf-1')).toBeUndefined();
    expect(s.alerts()).toEqual([]);
  });
});

describe('the kill switch from continuous evaluation', () => {
  const breakerDesk = deskPolicy([LEVERAGE_HARD], { breaker: { hardEvents: 3, windowSeconds: 60 } });

  it('the third hard violation within the window on a desk halts that desk, announced once (CRITICAL)', async () => {
    const s = await setup([breakerDesk]);
    s.at(0, 10);
    await evaluateRiskLimitsBatch(
      s.deps,
      batch(risk('em-1', 'em', 0, { leverage: 4 }), risk('em-2', 'em', 0, { leverage: 4 })),
    );
    expect((await s.stop('desk:em'))?.state ?? 'ACTIVE').toBe('ACTIVE');
    s.at(1, 5);
    const out = await evaluateRiskLimitsBatch(s.deps, batch(risk('em-3', 'em', 1, { leverage: 5 })));
    expect(out[0].stops).toEqual(['desk:em:1']);
    expect(await s.stop('desk:em')).toMatchObject({
      state: 'HALTED',
      trigger: 'breaker',
      changedBy: 'circuit-breaker',
    });
    expect(s.stopAlerts()).toEqual([
      expect.objectContaining({
        severity: 'CRITICAL',
        scopeKey: 'desk:em',
        stateAfter: 'HALTED',
        trigger: 'breaker',
      }),
    ]);
    expect(s.warehouse.rows('risk.emergency_stops').map((r) => r.audit_id)).toEqual(['desk:em:1']);
    // The default breaker (5 in 60 s) counts per portfolio: one event each, nothing else stopped.
    expect((await s.stop('global'))?.state ?? 'ACTIVE').toBe('ACTIVE');
    expect((await s.store.get<{ events: unknown[] }>(C.breakers, 'portfolio:em-3'))?.events).toHaveLength(1);
    // A redelivery of the tripping tick neither counts again nor announces again.
    await evaluateRiskLimitsBatch(s.deps, batch(risk('em-3', 'em', 1, { leverage: 5 })));
    expect(s.stopAlerts()).toHaveLength(1);
  });

  it('events spread wider than the window do not trip it', async () => {
    const s = await setup([breakerDesk]);
    for (const [i, minute] of [0, 1, 2].entries()) {
      s.at(minute, 1);
      await evaluateRiskLimitsBatch(s.deps, batch(risk(`em-${i}`, 'em', minute, { leverage: 4 })));
    }
    expect((await s.stop('desk:em'))?.state ?? 'ACTIVE').toBe('ACTIVE');
  });

  it('a failed STOP_CHANGED is announced by the redelivery without counting the event again', async () => {
    const s = await setup([deskPolicy([LEVERAGE_HARD], { breaker: { hardEvents: 1, windowSeconds: 60 } })]);
    s.at(0);
    const tick = batch(risk('em-1', 'em', 0, { leverage: 4 }));
    // The limit alert goes out, then every try of the stop alert fails (announce tries three times).
    const publish = s.bus.publish.bind(s.bus);
    let failStops = 3;
    s.bus.publish = async (topic, message, options) => {
      if ((message as RiskAlert).kind === 'STOP_CHANGED' && failStops-- > 0)
        throw new Error('publish failed');
      return publish(topic, message, options);
    };
    await expect(evaluateRiskLimitsBatch(s.deps, tick)).rejects.toThrow(/not announced/);
    expect(await s.stop('desk:em')).toMatchObject({ state: 'HALTED', version: 1 });
    expect(s.stopAlerts()).toEqual([]);
    await evaluateRiskLimitsBatch(s.deps, tick);
    expect(s.stopAlerts().map((a) => a.auditId)).toEqual(['desk:em:1']);
    expect(await s.stop('desk:em')).toMatchObject({ version: 1 });
    expect(s.limitAlerts()).toHaveLength(1);
  });

  it('an emergency rule halts its policy scope at once, and only that scope', async () => {
    const s = await setup([
      deskPolicy([
        { ruleId: 'lev-emergency', metric: 'leverage', operator: '>', threshold: 10, kind: 'emergency' },
      ]),
    ]);
    s.at(0);
    await evaluateRiskLimitsBatch(
      s.deps,
      batch(risk('em-1', 'em', 0, { leverage: 12 }), risk('eu-1', 'eu', 0, { leverage: 12 })),
    );
    expect(await s.stop('desk:em')).toMatchObject({ state: 'HALTED', trigger: 'emergency-rule' });
    expect(await s.stop('desk:eu')).toBeUndefined();
    expect(await s.stop('global')).toBeUndefined();
    expect(s.limitAlerts()).toEqual([
      expect.objectContaining({ ruleKind: 'emergency', severity: 'CRITICAL' }),
    ]);
    expect(s.stopAlerts()).toEqual([
      expect.objectContaining({ scopeKey: 'desk:em', trigger: 'emergency-rule', actor: 'emergency-rule' }),
    ]);
  });

  it('the default policy is unchanged: healthy portfolios raise nothing, stop nothing', async () => {
    expect(
      DEFAULT_RISK_POLICY.rules.filter((r) => !r.stages || r.stages.includes('continuous')),
    ).toHaveLength(1);
    const s = await setup();
    s.at(0);
    await evaluateRiskLimitsBatch(s.deps, batch(risk('pf-1', 'default', 0), risk('pf-2', 'default', 0)));
    expect(s.alerts()).toEqual([]);
    expect(s.warehouse.rows('risk.risk_violations')).toEqual([]);
  });
});

describe('a batch in one transaction', () => {
  /** The deps' store, counting transactions (retries on contention count once). */
  function countTransactions(s: Awaited<ReturnType<typeof setup>>) {
    let n = 0;
    const store = Object.create(s.store) as MemoryDocumentStore;
    store.runTransaction = (fn) => {
      n++;
      return s.store.runTransaction(fn);
    };
    return { deps: { ...s.deps, store }, transactions: () => n };
  }

  it('decides every portfolio of a batch in one transaction and delivers each event once', async () => {
    const s = await setup([deskPolicy([LEVERAGE_SOFT])]);
    const { deps, transactions } = countTransactions(s);
    s.at(0);
    const many = Array.from({ length: 30 }, (_, i) =>
      risk(`em-${i}`, 'em', 0, { leverage: i % 2 ? 2.5 : 1 }),
    );
    const out = await evaluateRiskLimitsBatch(deps, batch(...many));
    // The decision; delivering a soft event needs none of its own (it counts toward no breaker).
    expect(transactions()).toBe(1);
    expect(out.map((o) => o.events.length)).toEqual(many.map((_, i) => (i % 2 ? 1 : 0)));
    expect(
      s
        .limitAlerts()
        .map((a) => a.portfolioId)
        .sort(),
    ).toEqual(
      many
        .filter((_, i) => i % 2)
        .map((r) => r.portfolioId)
        .sort(),
    );
    expect(s.warehouse.rows('risk.risk_violations')).toHaveLength(15);
    s.at(1);
    await evaluateRiskLimitsBatch(
      deps,
      batch(...many.map((r) => ({ ...r, ...risk(r.portfolioId, 'em', 1) }))),
    );
    expect(transactions()).toBe(2);
    expect(s.limitAlerts().filter((a) => a.kind === 'RISK_LIMIT_CLEARED')).toHaveLength(15);
  });

  it('a portfolio seen twice in a batch sees its first decision: both events, in order, once each', async () => {
    const s = await setup([deskPolicy([LEVERAGE_HARD])]);
    s.at(1);
    const out = await evaluateRiskLimitsBatch(
      s.deps,
      batch(risk('em-1', 'em', 0, { leverage: 4 }), risk('em-1', 'em', 1, { leverage: 1 })),
    );
    expect(s.limitAlerts().map((a) => a.kind)).toEqual(['RISK_LIMIT_BREACHED', 'RISK_LIMIT_CLEARED']);
    expect(out[0]).toMatchObject({ applied: true, delivered: [] });
    expect(out[1].delivered).toHaveLength(2);
    expect(s.warehouse.rows('risk.risk_violations')).toHaveLength(2);
    const state = await s.store.get<{ pending: string[] }>(C.limitStates, 'em-1');
    expect(state?.pending).toHaveLength(2); // pruned by the next transaction that finds them delivered
  });

  it('a portfolio whose state cannot be read fails only itself; the batch is retried', async () => {
    const s = await setup([deskPolicy([LEVERAGE_HARD])]);
    await s.store.set(C.limitStates, 'em-bad', { portfolioId: 'em-bad', pending: 'not a list' });
    s.at(0);
    await expect(
      evaluateRiskLimitsBatch(
        s.deps,
        batch(risk('em-bad', 'em', 0, { leverage: 4 }), risk('em-ok', 'em', 0, { leverage: 4 })),
      ),
    ).rejects.toThrow(TypeError);
    expect(s.limitAlerts().map((a) => a.portfolioId)).toEqual(['em-ok']);
    expect((await s.store.get(C.limitStates, 'em-bad'))?.pending).toBe('not a list');
  });
});
