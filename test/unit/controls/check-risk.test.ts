/**
 * checkRisk through its use case and over HTTP, with in-memory adapters and a manual clock: approve and deny
 * with reasons, the first decision returned for a repeated requestId (from memory, and from the record in a
 * fresh instance), approvals counted against the limits until the position update carries them, fail-closed
 * behaviour when the store or the stop state cannot be confirmed, and risk-reducing actions approved anyway.
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { checkRiskHttp } from '../../../functions/check-risk/wiring';
import { LocalTokenVerifier } from '../../../shared/adapters/identity/id-token-verifiers';
import { DEFAULT_RISK_COMPUTE_CONFIG } from '../../../shared/domain/risk/config';
import { activeRecord, engage } from '../../../shared/domain/controls/stops';
import type { PreTradeRequest } from '../../../shared/domain/controls/pre-trade';
import { ManualClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import type {
  CommitPosition,
  DocumentData,
  DocumentStore,
  DocumentTransaction,
} from '../../../shared/ports/document-store';
import type { Warehouse } from '../../../shared/ports/warehouse';
import type { TableRows } from '../../../shared/contracts/schema-types';
import {
  checkRisk,
  RecentDecisions,
  type CheckRiskDeps,
  type DecisionDoc,
  type ReservationsDoc,
} from '../../../shared/use-cases/check-risk';
import { COLLECTIONS } from '../../../shared/use-cases/compute-portfolio-risk';
import { CONTROLS_COLLECTIONS as C } from '../../../shared/use-cases/controls/controls-store';
import { ControlsState } from '../../../shared/use-cases/controls/controls-state';
import { DecisionRecorder } from '../../../shared/use-cases/controls/decision-recorder';
import { KeyedQueue } from '../../../shared/platform/keyed-queue';
import { CapturingSink } from '../../support/capturing-sink';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { seedDailyCloses } from '../../support/env';
import { validate } from '../../../shared/contracts/validation';
import type { DailyClosesDoc } from '../../../shared/domain/prices/ticks';
import { HISTORY_GAP_LOG } from '../../../shared/platform/log-messages';
import { DEFAULT_RISK_POLICY } from '../../../shared/domain/controls/default-policy';

/** A store that can be taken down: every call fails while `down` is set. */
class SwitchableStore implements DocumentStore {
  down = false;
  /** Every call hangs (a partition: no answer, no error) while set. */
  hanging = false;
  /** Collections whose queries fail while the rest works. */
  readonly failing = new Set<string>();
  constructor(readonly inner: MemoryDocumentStore) {}
  private async check(): Promise<void> {
    if (this.hanging) await new Promise(() => undefined);
    if (this.down) throw new Error('UNAVAILABLE: store unreachable');
  }
  async get<T extends DocumentData>(c: string, id: string) {
    await this.check();
    return this.inner.get<T>(c, id);
  }
  async getMany<T extends DocumentData>(c: string, ids: string[]) {
    await this.check();
    return this.inner.getMany<T>(c, ids);
  }
  async set(c: string, id: string, d: DocumentData) {
    await this.check();
    return this.inner.set(c, id, d);
  }
  async appendIfAbsent(c: string, id: string, d: DocumentData, field: string) {
    await this.check();
    return this.inner.appendIfAbsent(c, id, d, field);
  }
  async readAfter<T extends DocumentData>(
    c: string,
    field: string,
    after: CommitPosition | null,
    limit: number,
    settleMs: number,
  ) {
    await this.check();
    return this.inner.readAfter<T>(c, field, after, limit, settleMs);
  }
  async readLatest<T extends DocumentData>(c: string, field: string, limit: number, settleMs: number) {
    await this.check();
    return this.inner.readLatest<T>(c, field, limit, settleMs);
  }
  async createIfAbsent(c: string, id: string, d: DocumentData) {
    await this.check();
    return this.inner.createIfAbsent(c, id, d);
  }
  async query<T extends DocumentData>(c: string, f: Parameters<DocumentStore['query']>[1]) {
    await this.check();
    if (this.failing.has(c)) throw new Error(`UNAVAILABLE: ${c}`);
    return this.inner.query<T>(c, f);
  }
  /** Transactions open at once, and the most ever seen. */
  open = 0;
  maxOpen = 0;
  async runTransaction<R>(fn: (tx: DocumentTransaction) => Promise<R>) {
    await this.check();
    this.maxOpen = Math.max(this.maxOpen, ++this.open);
    try {
      return await this.inner.runTransaction(fn);
    } finally {
      this.open--;
    }
  }
  async close() {}
}

class RowsWarehouse implements Warehouse {
  rows: TableRows['risk.pre_trade_decisions'][] = [];
  async insert<T extends keyof TableRows>(table: T, rows: TableRows[T][]) {
    if (table === 'risk.pre_trade_decisions')
      this.rows.push(...(rows as TableRows['risk.pre_trade_decisions'][]));
  }
  async query<T>(): Promise<T[]> {
    return [];
  }
  async close() {}
}

const START = '2024-06-01T12:00:00Z';

interface World {
  memory: MemoryDocumentStore;
  /** What the instances log. */
  sink: CapturingSink;
  store: SwitchableStore;
  clock: ManualClock;
  warehouse: RowsWarehouse;
  deps: CheckRiskDeps;
  /** Another instance on the same store: its own memory and state. */
  instance(): Promise<CheckRiskDeps>;
  /** Prices at the clock's time (the ingestion tick). */
  tick(prices?: Record<string, number>): Promise<void>;
}

/** 1 BTC at 10,000 USD against 5,000 USDC: health 100; the default policy's pre-trade floor is 30. */
async function world(): Promise<World> {
  const memory = new MemoryDocumentStore();
  const store = new SwitchableStore(memory);
  const clock = new ManualClock(START);
  const warehouse = new RowsWarehouse();
  const sink = new CapturingSink();
  const logger = new StructuredLogger({ sink: sink.sink, projectId: 'p' });
  await memory.set(COLLECTIONS.portfolios, 'p-1', {
    portfolioId: 'p-1',
    bucket: 1,
    deskId: 'desk-a',
    updatedAt: START,
    positions: [
      { asset: 'BTC', amount: 1, side: 'collateral' },
      { asset: 'USDC', amount: 5000, side: 'borrow' },
    ],
  });
  const tick = async (prices: Record<string, number> = { BTC: 10_000, USDC: 1 }) => {
    const asOf = clock.now().toISOString();
    await memory.set(COLLECTIONS.market, 'latest', {
      asOf,
      tickId: asOf,
      prices: Object.fromEntries(
        Object.entries(prices).map(([a, p]) => [a, { priceUsd: p, asOf, tickId: asOf }]),
      ),
    });
  };
  await tick();
  const instance = async (): Promise<CheckRiskDeps> => {
    const controls = new ControlsState(store, clock, logger, { risk: DEFAULT_RISK_COMPUTE_CONFIG });
    await controls.refreshAll();
    return {
      store,
      clock,
      logger,
      controls,
      recorder: new DecisionRecorder(store, warehouse, clock, logger, async () => true),
      memory: new RecentDecisions(),
      reservationMs: 60_000,
    };
  };
  return { memory, sink, store, clock, warehouse, deps: await instance(), instance, tick };
}

let n = 0;
const req = (over: Partial<PreTradeRequest> = {}): PreTradeRequest => ({
  requestId: `r-${++n}`,
  portfolioId: 'p-1',
  action: 'borrow',
  asset: 'USDC',
  amount: 1000,
  ...over,
});
const codes = (r: { reasons: { code: string }[] }) => r.reasons.map((x) => x.code);

describe('checkRisk', () => {
  it('approves an action that fits, records the decision and reserves it against the limits', async () => {
    const w = await world();
    const r = req({ amount: 1000 });
    const out = await checkRisk(w.deps, r, 'lending@svc');
    expect(out.source).toBe('new');
    expect(out.response).toMatchObject({
      requestId: r.requestId,
      decision: 'APPROVE',
      reasons: [],
      violations: [],
      stop: { state: 'ACTIVE' },
      decidedAt: START.replace('Z', '.000Z'),
    });
    expect(out.response.decisionId).toMatch(/^ptd/);
    expect(out.response.post?.healthScore).toBeCloseTo(((10_000 - 6000) / 6000) * 100, 6);
    const recorded = await w.memory.get<DecisionDoc>(C.decisions, r.requestId);
    expect(recorded?.decision.decision).toBe('APPROVE');
    expect(recorded?.caller).toBe('lending@svc');
    const reserved = await w.memory.get<ReservationsDoc>(C.reservations, 'p-1');
    expect(reserved?.entries.map((e) => e.requestId)).toEqual([r.requestId]);
    await w.deps.recorder.flush();
    expect(w.warehouse.rows).toEqual([
      expect.objectContaining({
        decision_id: out.response.decisionId,
        request_id: r.requestId,
        decision: 'APPROVE',
        caller: 'lending@svc',
      }),
    ]);
  });

  it('denies an action that breaks a hard rule, naming the rule, its value and threshold, and counts it toward the breaker', async () => {
    const w = await world();
    const out = await checkRisk(w.deps, req({ amount: 3000 }), 'lending@svc');
    expect(out.response.decision).toBe('DENY');
    expect(codes(out.response)).toEqual(['HARD_LIMIT']);
    expect(out.response.violations).toEqual([
      expect.objectContaining({
        policyId: 'default',
        ruleId: 'no-action-into-margin-call',
        kind: 'hard',
        scope: { level: 'global' },
        operator: '<',
        threshold: 30,
      }),
    ]);
    expect(out.response.violations[0].value).toBeCloseTo(25, 6);
    // No reservation for a denial.
    expect(await w.memory.get(C.reservations, 'p-1')).toBeUndefined();
    await w.deps.recorder.flush();
    // The default breaker counts per portfolio: this portfolio's, not the platform's.
    const breaker = await w.memory.get<{ events: { id: string }[] }>(C.breakers, 'portfolio:p-1');
    expect(breaker?.events.map((e) => e.id)).toEqual([out.response.decisionId]);
    expect(await w.memory.get(C.breakers, 'global')).toBeUndefined();
    expect(w.warehouse.rows[0]).toMatchObject({ decision: 'DENY', reason_codes: 'HARD_LIMIT' });
  });

  it("five hard denials within a minute trip the portfolio's breaker (the default's, per portfolio): it is halted, the platform is not, and the halt is announced, retried until it is", async () => {
    const w = await world();
    const announced: string[] = [];
    let failures = 1;
    const recorder = new DecisionRecorder(w.store, w.warehouse, w.clock, w.deps.logger, async (t) => {
      if (failures-- > 0) return false;
      announced.push(`${t.auditId} ${t.before.state}->${t.after.state} ${t.after.trigger}`);
      return true;
    });
    const deps = { ...w.deps, recorder };
    for (let i = 0; i < 5; i++) {
      w.clock.advance(1000);
      expect((await checkRisk(deps, req({ amount: 3000 }), 'lending@svc')).response.decision).toBe('DENY');
    }
    await recorder.flush();
    expect(await w.memory.get(C.stops, 'portfolio:p-1')).toMatchObject({
      state: 'HALTED',
      trigger: 'breaker',
    });
    expect(await w.memory.get(C.stops, 'global')).toBeUndefined();
    expect(announced).toEqual([]);
    expect(recorder.pending).toBe(1);
    await recorder.flush();
    expect(announced).toEqual(['portfolio:p-1:1 ACTIVE->HALTED breaker']);
    expect(recorder.pending).toBe(0);
  });

  it('answers a repeated requestId with the first decision, even after the world changed, from memory and from the record', async () => {
    const w = await world();
    const r = req({ amount: 1000 });
    const first = await checkRisk(w.deps, r, 'lending@svc');
    expect(first.response.decision).toBe('APPROVE');
    // BTC halves: the same borrow would now be denied.
    await w.tick({ BTC: 5000, USDC: 1 });
    await w.deps.controls.refreshAll();
    expect((await checkRisk(w.deps, req({ amount: 1000 }), 'lending@svc')).response.decision).toBe('DENY');
    const again = await checkRisk(w.deps, r, 'lending@svc');
    expect(again).toEqual({ response: first.response, source: 'memory' });
    const fresh = await w.instance();
    const fromRecord = await checkRisk(fresh, r, 'lending@svc');
    expect(fromRecord).toEqual({ response: first.response, source: 'recorded' });
    // Still one reservation, one warehouse row for that request.
    await Promise.all([w.deps.recorder.flush(), fresh.recorder.flush()]);
    expect(w.warehouse.rows.filter((x) => x.request_id === r.requestId)).toHaveLength(1);
  });

  it('shares one evaluation between concurrent requests with the same requestId', async () => {
    const w = await world();
    const r = req({ amount: 1000 });
    const [a, b] = await Promise.all([checkRisk(w.deps, r, 'x'), checkRisk(w.deps, r, 'x')]);
    expect(a.response).toEqual(b.response);
    expect([a.source, b.source].sort()).toEqual(['memory', 'new']);
  });

  it('approves only one of two concurrent borrows that each fit but together break the limit', async () => {
    const w = await world();
    const other = await w.instance();
    // Each alone: health (10,000 − 7,000) / 7,000 = 43 ≥ 30; both: 11.
    const outs = await Promise.all([
      checkRisk(w.deps, req({ amount: 2000 }), 'x'),
      checkRisk(other, req({ amount: 2000 }), 'x'),
    ]);
    expect(outs.map((o) => o.response.decision).sort()).toEqual(['APPROVE', 'DENY']);
    expect(codes(outs.find((o) => o.response.decision === 'DENY')!.response)).toEqual(['HARD_LIMIT']);
  });

  it('stops counting an approval once the position update carries it, or once it expires', async () => {
    const w = await world();
    const first = req({ amount: 2000 });
    expect((await checkRisk(w.deps, first, 'x')).response.decision).toBe('APPROVE');
    expect((await checkRisk(w.deps, req({ amount: 2000 }), 'x')).response.decision).toBe('DENY');
    // The platform executed the borrow and repaid 2,000 elsewhere: the update carries the first request.
    await w.memory.set(COLLECTIONS.portfolios, 'p-1', {
      portfolioId: 'p-1',
      bucket: 1,
      deskId: 'desk-a',
      updatedAt: START,
      positions: [
        { asset: 'BTC', amount: 1, side: 'collateral' },
        { asset: 'USDC', amount: 5000, side: 'borrow' },
      ],
      appliedRequestIds: [first.requestId],
    });
    expect((await checkRisk(w.deps, req({ amount: 2000 }), 'x')).response.decision).toBe('APPROVE');
    // That one is not carried by any update: it expires after 60 s.
    expect((await checkRisk(w.deps, req({ amount: 2000 }), 'x')).response.decision).toBe('DENY');
    w.clock.advance(61_000);
    await w.tick();
    await w.deps.controls.refreshAll();
    expect((await checkRisk(w.deps, req({ amount: 2000 }), 'x')).response.decision).toBe('APPROVE');
  });

  it('denies with STORE_UNAVAILABLE when the store is down, but approves a repay and records it later', async () => {
    const w = await world();
    w.store.down = true;
    const borrow = await checkRisk(w.deps, req({ amount: 10 }), 'x');
    expect(borrow.response.decision).toBe('DENY');
    expect(codes(borrow.response)).toEqual(['STORE_UNAVAILABLE']);
    const repay = req({ action: 'repay', amount: 500 });
    const out = await checkRisk(w.deps, repay, 'x');
    expect(out.response).toMatchObject({ decision: 'APPROVE', reasons: [] });
    await w.deps.recorder.flush();
    expect(await w.memory.get(C.decisions, repay.requestId)).toBeUndefined();
    w.store.down = false;
    await w.deps.recorder.flush();
    expect((await w.memory.get<DecisionDoc>(C.decisions, repay.requestId))?.decision.decision).toBe(
      'APPROVE',
    );
    // The same requestId after recovery, on another instance: the first decision.
    expect((await checkRisk(await w.instance(), repay, 'x')).response).toEqual(out.response);
  });

  it('takes concurrent requests on one portfolio one at a time in the instance: the limit holds, nothing races in the store', async () => {
    const w = await world();
    const deps = { ...w.deps, portfolios: new KeyedQueue() };
    // Each 1,000 borrow fits alone; eight together would take the portfolio through the pre-trade floor.
    const outs = await Promise.all(
      Array.from({ length: 8 }, () => checkRisk(deps, req({ amount: 1000 }), 'x')),
    );
    const decisions = outs.map((o) => o.response.decision);
    expect(decisions.filter((d) => d === 'APPROVE').length).toBeGreaterThan(0);
    expect(decisions.filter((d) => d === 'DENY').length).toBeGreaterThan(0);
    // In arrival order: once one is denied, every later one is too (the approved ones stay reserved).
    expect(decisions).toEqual([...decisions].sort());
    expect(w.store.maxOpen).toBe(1);
  });

  it('answers within its bounds when the store hangs instead of failing: borrows denied, a repay approved', async () => {
    const w = await world();
    const deps = { ...w.deps, storeTimeoutMs: 50 };
    w.store.hanging = true;
    const borrow = await checkRisk(deps, req({ amount: 10 }), 'x');
    expect(codes(borrow.response)).toEqual(['STORE_UNAVAILABLE']);
    expect((await checkRisk(deps, req({ action: 'repay', amount: 10 }), 'x')).response.decision).toBe(
      'APPROVE',
    );
    // The stop state is due for a read that never answers: the request waits only while it is still confirmed.
    w.clock.advance(950);
    expect((await checkRisk(deps, req({ amount: 10 }), 'x')).response.decision).toBe('DENY');
    w.clock.advance(100);
    expect(
      (await checkRisk(deps, req({ action: 'addCollateral', asset: 'BTC', amount: 0.1 }), 'x')).response
        .decision,
    ).toBe('APPROVE');
  });

  it('denies when the stop state could not be confirmed for more than 1 s; a repay still passes', async () => {
    const w = await world();
    expect((await checkRisk(w.deps, req(), 'x')).response.decision).toBe('APPROVE');
    // The stop documents cannot be read (the request's own catch-up read fails too); everything else works.
    w.store.failing.add(C.stops);
    w.clock.advance(1001);
    const out = await checkRisk(w.deps, req(), 'x');
    expect(codes(out.response)).toEqual(['STOP_STATE_UNCONFIRMED']);
    expect((await checkRisk(w.deps, req({ action: 'repay' }), 'x')).response.decision).toBe('APPROVE');
    w.store.failing.delete(C.stops);
    expect((await checkRisk(w.deps, req(), 'x')).response.decision).toBe('APPROVE');
  });

  it('reads the stop state and prices before deciding when its timers could not run (an idle, throttled instance)', async () => {
    const w = await world();
    w.clock.advance(5000); // no poll ran meanwhile
    await w.tick();
    const out = await checkRisk(w.deps, req(), 'x');
    expect(out.response.decision).toBe('APPROVE');
  });

  it('obeys a stop engaged in the store from the next poll, naming who engaged it; risk-reducing actions pass', async () => {
    const w = await world();
    const halted = engage(
      activeRecord({ level: 'desk', deskId: 'desk-a' }),
      'HALTED',
      { actor: 'ops@desk.example', reason: 'exchange outage', at: w.clock.now() },
      'manual',
    )!;
    await w.memory.set(C.stops, halted.scopeKey, halted as unknown as DocumentData);
    await w.deps.controls.pollStops();
    const out = await checkRisk(w.deps, req(), 'x');
    expect(out.response.decision).toBe('DENY');
    expect(out.response.reasons[0]).toMatchObject({ code: 'STOPPED' });
    expect(out.response.reasons[0].message).toContain('ops@desk.example');
    expect(out.response.stop).toEqual({
      state: 'HALTED',
      scopeKey: 'desk:desk-a',
      engagedBy: 'ops@desk.example',
      reason: 'exchange outage',
    });
    for (const action of ['repay', 'addCollateral'] as const)
      expect((await checkRisk(w.deps, req({ action, asset: 'USDC' }), 'x')).response.decision).toBe(
        'APPROVE',
      );
  });

  it('fails closed on an unknown portfolio, a missing or stale price, and unreadable policies', async () => {
    const w = await world();
    expect(codes((await checkRisk(w.deps, req({ portfolioId: 'nobody' }), 'x')).response)).toEqual([
      'PORTFOLIO_UNKNOWN',
    ]);
    expect(codes((await checkRisk(w.deps, req({ asset: 'ETH' }), 'x')).response)).toEqual(['PRICE_MISSING']);
    // 181 s later, stops still confirmed but prices from the last tick: beyond the policy's 180 s.
    w.clock.advance(181_000);
    await w.deps.controls.pollStops();
    await w.deps.controls.pollPrices();
    expect(codes((await checkRisk(w.deps, req(), 'x')).response)).toEqual(['PRICE_STALE']);
    // Policies unreadable for longer than the cache serves the last ones (60 s): no policy, no approval.
    w.store.failing.add(C.policies);
    w.clock.advance(61_000);
    await w.tick();
    await w.deps.controls.refreshAll();
    expect(codes((await checkRisk(w.deps, req(), 'x')).response)).toContain('POLICY_UNAVAILABLE');
  });
});

describe('checkRisk with a VaR rule', () => {
  /** The desk's policy: historical-simulation VaR (99 %, 1 day) of at most 1 USD, hard. */
  async function withVarPolicy(w: World): Promise<void> {
    await w.memory.set(C.policies, 'desk-a-var', {
      policy: {
        ...DEFAULT_RISK_POLICY,
        policyId: 'desk-a-var',
        scope: { level: 'desk', deskId: 'desk-a' },
        rules: [
          {
            ruleId: 'var',
            metric: 'varUsd',
            confidence: 0.99,
            horizonDays: 1,
            operator: '>',
            threshold: 1,
            kind: 'hard',
          },
        ],
      },
      updatedBy: 'risk@desk.example',
      updatedAt: START,
    });
  }
  const trade = () => req({ action: 'trade', asset: 'USDC', amount: 2000, toAsset: 'BTC', toAmount: 0.2 });

  it('revalues the tail after the action: a trade that adds BTC risk past the VaR limit is denied with its value', async () => {
    const w = await world();
    await withVarPolicy(w);
    await seedDailyCloses(w.memory, START, 400, ['BTC', 'USDC']);
    await w.deps.controls.refreshAll();
    const out = await checkRisk(w.deps, trade(), 'x');
    expect(out.response.decision).toBe('DENY');
    expect(out.response.violations).toEqual([
      expect.objectContaining({ policyId: 'desk-a-var', ruleId: 'var', metric: 'varUsd', threshold: 1 }),
    ]);
    expect(out.response.violations[0].value).toBeGreaterThan(100);
    // A repay is risk-reducing: approved whatever the tail.
    expect((await checkRisk(w.deps, req({ action: 'repay', amount: 100 }), 'x')).response.decision).toBe(
      'APPROVE',
    );
  });

  it('decides with VaR computed around a missing daily close, and says so in the answer when the portfolio holds it', async () => {
    const w = await world();
    await withVarPolicy(w);
    await seedDailyCloses(w.memory, START, 400, ['BTC', 'ETH', 'USDC']);
    // Neither source had BTC's close of 2024-03-10 nor ETH's of 2024-04-02; the portfolio holds no ETH.
    for (const [asset, date] of [
      ['BTC', '2024-03-10'],
      ['ETH', '2024-04-02'],
    ]) {
      const doc = await w.memory.get<DailyClosesDoc>('dailyCloses', asset);
      if (!doc) throw new Error(`no ${asset} closes seeded`);
      await w.memory.set('dailyCloses', asset, { ...doc, closes: doc.closes.filter((c) => c.date !== date) });
    }
    await w.tick({ BTC: 10_000, ETH: 3_000, USDC: 1 });
    await w.deps.controls.refreshAll();
    // One line per missing close, for the engine build; none per decision.
    const gapLines = () =>
      w.sink
        .entries()
        .filter((e) => e.message === HISTORY_GAP_LOG)
        .map((e) => [e.asset, e.date]);
    expect(gapLines()).toEqual([
      ['BTC', '2024-03-10'],
      ['ETH', '2024-04-02'],
    ]);
    const out = await checkRisk(w.deps, trade(), 'x');
    expect(out.response.decision).toBe('DENY');
    expect(out.response.violations[0]).toMatchObject({ metric: 'varUsd' });
    expect(out.response.historyGaps).toEqual([{ asset: 'BTC', date: '2024-03-10' }]);
    validate('api/check-risk-response', out.response);
    // The first answer again, from the record in another instance: the flag with it.
    const other = await w.instance();
    const again = await checkRisk(other, { ...trade(), requestId: out.response.requestId }, 'x');
    expect([again.source, again.response.historyGaps]).toEqual([
      'recorded',
      [{ asset: 'BTC', date: '2024-03-10' }],
    ]);
    // The warning is repeated per store at most every 30 minutes (the alert sums one-hour windows); the two
    // instances of this test share one store, so the other one's engine build adds no line.
    expect(gapLines()).toHaveLength(2);
    // A portfolio of another desk, under the default policy (no VaR rule): VaR not used, no flag.
    await w.memory.set(COLLECTIONS.portfolios, 'p-2', {
      portfolioId: 'p-2',
      bucket: 2,
      deskId: 'desk-b',
      updatedAt: START,
      positions: [{ asset: 'BTC', amount: 1, side: 'collateral' }],
    });
    const plain = await checkRisk(w.deps, req({ portfolioId: 'p-2', amount: 100 }), 'x');
    expect(plain.response.decision).toBe('APPROVE');
    expect(plain.response).not.toHaveProperty('historyGaps');
  });

  it('denies (METRIC_UNAVAILABLE) when the VaR rule cannot be evaluated for lack of history', async () => {
    const w = await world();
    await withVarPolicy(w);
    await w.deps.controls.refreshAll();
    const out = await checkRisk(w.deps, trade(), 'x');
    expect(codes(out.response)).toEqual(['METRIC_UNAVAILABLE']);
  });
});

describe('checkRisk over HTTP', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
    ff.http(
      'checkRisk-test',
      checkRiskHttp(async () => ({
        ...w.deps,
        verifier: new LocalTokenVerifier(),
        callers: new Set(['lending@svc']),
      })),
    );
  });
  const server = () => getTestServer('checkRisk-test');
  const as = (who: string) => ({ Authorization: `Bearer local:${who}` });

  it('answers 200 for an approval and for a denial alike', async () => {
    const ok = await request(server())
      .post('/')
      .set(as('lending@svc'))
      .send(req({ amount: 100 }));
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual(
      [
        'decisionId',
        'requestId',
        'decision',
        'reasons',
        'violations',
        'warnings',
        'stop',
        'post',
        'decidedAt',
      ].sort(),
    );
    expect(ok.body.decision).toBe('APPROVE');
    const no = await request(server())
      .post('/')
      .set(as('lending@svc'))
      .send(req({ amount: 50_000 }));
    expect(no.status).toBe(200);
    expect(no.body.decision).toBe('DENY');
  });

  it('refuses a missing token (401), a caller not allowed (403) and an invalid body with every problem (400)', async () => {
    expect((await request(server()).post('/').send(req())).status).toBe(401);
    expect((await request(server()).post('/').set(as('someone@else')).send(req())).status).toBe(403);
    const bad = await request(server())
      .post('/')
      .set(as('lending@svc'))
      .send({ requestId: 'r 1', portfolioId: 'p-1', action: 'lend', asset: 'USDC', amount: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/requestId'),
        expect.stringContaining('/action'),
        expect.stringContaining('/amount'),
      ]),
    );
    expect((await request(server()).get('/').set(as('lending@svc'))).status).toBe(405);
  });
});
