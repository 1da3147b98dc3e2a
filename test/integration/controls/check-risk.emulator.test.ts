/**
 * checkRisk against the Firestore emulator, with two instances (separate clients, separate memory) on one
 * database: concurrent borrows that each fit but together break the limit are never both approved, a repeated
 * requestId gets the first decision from the other instance's record, and a stop written to the store is obeyed
 * by a running instance (real timers, real clock) within 1 s. Both instances live in this process; the same
 * bound across two OS processes is halt-propagation.emulator.test.ts.
 */
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { DEFAULT_RISK_COMPUTE_CONFIG } from '../../../shared/domain/risk/config';
import type { PreTradeRequest } from '../../../shared/domain/controls/pre-trade';
import { systemClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import type { Warehouse } from '../../../shared/ports/warehouse';
import { checkRisk, RecentDecisions, type CheckRiskDeps } from '../../../shared/use-cases/check-risk';
import { COLLECTIONS } from '../../../shared/use-cases/compute-portfolio-risk';
import { changeStop } from '../../../shared/use-cases/controls/controls-store';
import { ControlsState } from '../../../shared/use-cases/controls/controls-state';
import { DecisionRecorder } from '../../../shared/use-cases/controls/decision-recorder';
import { engage } from '../../../shared/domain/controls/stops';
import { CapturingSink } from '../../support/capturing-sink';
import { emulatorHosts, isolatedProjectId } from '../../support/env';

const projectId = isolatedProjectId('check-risk');
const stores: FirestoreDocumentStore[] = [];
const instances: CheckRiskDeps[] = [];
const noWarehouse: Warehouse = { insert: async () => {}, query: async () => [], close: async () => {} };

function client(): FirestoreDocumentStore {
  const s = new FirestoreDocumentStore({ projectId, emulatorHost: emulatorHosts().firestoreHost });
  stores.push(s);
  return s;
}

async function instance(start = false): Promise<CheckRiskDeps> {
  const store = client();
  const logger = new StructuredLogger({ sink: new CapturingSink().sink, projectId: 'p' });
  const controls = new ControlsState(store, systemClock, logger, { risk: DEFAULT_RISK_COMPUTE_CONFIG });
  if (start) await controls.start();
  else await controls.refreshAll();
  const deps: CheckRiskDeps = {
    store,
    clock: systemClock,
    logger,
    controls,
    // No breaker trips in these tests: nothing to announce.
    recorder: new DecisionRecorder(store, noWarehouse, systemClock, logger, async () => true),
    memory: new RecentDecisions(),
    reservationMs: 60_000,
    // The emulator resolves two transactions on one document by a lock timeout of seconds (production's
    // optimistic mode, by a retry): this test is about serialisation, not about the answer's time bound.
    storeTimeoutMs: 60_000,
  };
  instances.push(deps);
  return deps;
}

/** 1 BTC at 10,000 USD against 5,000 USDC: health 100; the default pre-trade floor is 30. */
async function portfolio(id: string): Promise<void> {
  await stores[0].set(COLLECTIONS.portfolios, id, {
    portfolioId: id,
    bucket: 1,
    deskId: 'desk-a',
    updatedAt: new Date().toISOString(),
    positions: [
      { asset: 'BTC', amount: 1, side: 'collateral' },
      { asset: 'USDC', amount: 5000, side: 'borrow' },
    ],
  });
}

let n = 0;
const req = (portfolioId: string, over: Partial<PreTradeRequest> = {}): PreTradeRequest => ({
  requestId: `it-${++n}-${Date.now()}`,
  portfolioId,
  action: 'borrow',
  asset: 'USDC',
  amount: 2000,
  ...over,
});

beforeAll(async () => {
  client();
  const asOf = new Date().toISOString();
  await stores[0].set(COLLECTIONS.market, 'latest', {
    asOf,
    tickId: asOf,
    prices: { BTC: { priceUsd: 10_000, asOf, tickId: asOf }, USDC: { priceUsd: 1, asOf, tickId: asOf } },
  });
});

afterAll(async () => {
  for (const i of instances) i.controls.stop();
  await Promise.all(stores.map((s) => s.close()));
});

describe('checkRisk on Firestore (emulator)', () => {
  it('never approves both of two concurrent borrows that each fit but together break the limit', async () => {
    // Running instances: their stop state stays confirmed however long the contended transactions take.
    const [a, b] = await Promise.all([instance(true), instance(true)]);
    const ids = ['pf-race-1', 'pf-race-2', 'pf-race-3'];
    await Promise.all(ids.map(portfolio));
    for (const id of ids) {
      // Each alone: health (10,000 − 7,000) / 7,000 = 43 ≥ 30; both: 11.
      const outs = await Promise.all([checkRisk(a, req(id), 'x'), checkRisk(b, req(id), 'x')]);
      expect(outs.map((o) => o.response.decision).sort()).toEqual(['APPROVE', 'DENY']);
      expect(outs.find((o) => o.response.decision === 'DENY')!.response.reasons[0].code).toBe('HARD_LIMIT');
    }
  });

  it('answers a requestId decided by another instance with that decision, without evaluating again', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    await portfolio('pf-repeat');
    const r = req('pf-repeat');
    const first = await checkRisk(a, r, 'x');
    expect(first.response.decision).toBe('APPROVE');
    expect(await checkRisk(b, r, 'x')).toEqual({ response: first.response, source: 'recorded' });
  });

  it('obeys a stop written to the store within 1 s on a running instance', async () => {
    const running = await instance(true);
    await portfolio('pf-stop');
    expect((await checkRisk(running, req('pf-stop', { amount: 10 }), 'x')).response.decision).toBe('APPROVE');
    const engagedAt = Date.now();
    await changeStop(client(), { level: 'desk', deskId: 'desk-a' }, (current) =>
      engage(current, 'HALTED', { actor: 'ops@desk.example', reason: 'drill', at: new Date() }, 'manual'),
    );
    let deniedAfter = Number.POSITIVE_INFINITY;
    while (Date.now() - engagedAt < 3000) {
      const out = await checkRisk(running, req('pf-stop', { amount: 10 }), 'x');
      if (out.response.decision === 'DENY' && out.response.reasons[0].code === 'STOPPED') {
        deniedAfter = Date.now() - engagedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(deniedAfter).toBeLessThan(1000);
    // Repaying stays possible while halted.
    expect((await checkRisk(running, req('pf-stop', { action: 'repay' }), 'x')).response.decision).toBe(
      'APPROVE',
    );
  });
});
