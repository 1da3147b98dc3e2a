/**
 * The kill switch across processes, as the platform sees it: two checkRisk instances, each its own OS process
 * (own memory, own Firestore client) on one Firestore emulator project, process A also serving riskAdmin. A stop
 * engaged through riskAdmin over HTTP is obeyed by process B within 1 s of the engage answer, repaying still
 * passes; and a process that cannot confirm the stop state (its reads of it fail, the rest of Firestore works)
 * denies borrows with STOP_STATE_UNCONFIRMED once its staleness bound passes while still approving repayments.
 */
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import type { PolicyScope } from '../../../shared/domain/controls/policy';
import {
  borrow,
  isStopDenial,
  measureHalt,
  pollUntil,
  preTrade,
  seedMarketState,
  seedPortfolio,
  startControlsProcess,
  type ControlsProcess,
  type ControlsProcessOptions,
} from '../../support/controls-stack';
import { emulatorHosts, isolatedProjectId } from '../../support/env';

const projectId = isolatedProjectId('halt-prop');
const HALT_DESK = 'desk-halt';
const STALE_DESK = 'desk-stale';
const started: ControlsProcess[] = [];
let store: FirestoreDocumentStore | undefined;
let a: ControlsProcess;
let b: ControlsProcess;

async function start(o: Omit<ControlsProcessOptions, 'projectId' | 'firestoreHost' | 'pubsubHost'>) {
  const p = await startControlsProcess({ projectId, ...emulatorHosts(), ...o });
  started.push(p);
  return p;
}

beforeAll(async () => {
  store = new FirestoreDocumentStore({ projectId, emulatorHost: emulatorHosts().firestoreHost });
  await seedMarketState(store);
  await seedPortfolio(store, 'pf-halt', HALT_DESK);
  await seedPortfolio(store, 'pf-stale', STALE_DESK);
  [a, b] = await Promise.all([start({ label: 'a', riskAdmin: true }), start({ label: 'b' })]);
}, 60_000);

afterAll(async () => {
  // Each child is stopped by its own pid (and also exits when its stdin closes with this worker).
  await Promise.allSettled(started.map((p) => p.stop()));
  await store?.close();
});

describe('kill switch across two checkRisk processes (Firestore emulator)', () => {
  it('a HALTED stop engaged through riskAdmin on A is obeyed by B within 1 s; repaying still passes', async () => {
    for (const p of [a, b])
      expect([p.label, (await preTrade(p.checkRiskUrl, borrow('pf-halt', 'it'))).decision]).toEqual([
        p.label,
        'APPROVE',
      ]);
    const scope: PolicyScope = { level: 'desk', deskId: HALT_DESK };
    const halt = await measureHalt({
      riskAdminUrl: a.riskAdminUrl ?? '',
      checkRiskUrl: b.checkRiskUrl,
      scope,
      portfolioId: 'pf-halt',
      reason: 'drill: halt propagation across processes',
      label: 'it',
    });
    expect(halt.denial.stop).toMatchObject({ state: 'HALTED', scopeKey: `desk:${HALT_DESK}` });
    // The user-visible promise, from the engage answer to B's first denial.
    expect(halt.propagationMs).toBeLessThan(1000);
    // A denies borrows too, under the same bound: its checkRisk polls the stop state as B's does, so B may see the
    // stop a poll before A (asking A once right after B denied failed under load).
    const onA = await pollUntil(a.checkRiskUrl, () => borrow('pf-halt', 'it'), isStopDenial, 1000);
    expect(onA.response.reasons.map((r) => r.code)).toContain('STOPPED');
    // Risk-reducing actions pass while halted, on B and on A.
    for (const p of [b, a])
      expect((await preTrade(p.checkRiskUrl, borrow('pf-halt', 'it', { action: 'repay' }))).decision).toBe(
        'APPROVE',
      );
  });

  it('a process that cannot confirm the stop state denies borrows (STOP_STATE_UNCONFIRMED), not repayments', async () => {
    expect((await preTrade(b.checkRiskUrl, borrow('pf-stale', 'it'))).decision).toBe('APPROVE');
    await b.faultStops(true);
    const cut = performance.now();
    try {
      const denied = await pollUntil(
        b.checkRiskUrl,
        () => borrow('pf-stale', 'it'),
        (r) => r.decision === 'DENY',
        5000,
      );
      expect(denied.response.reasons.map((r) => r.code)).toEqual(['STOP_STATE_UNCONFIRMED']);
      // The last confirmation precedes the cut: the 1 s bound, plus the request in flight when it passed.
      expect(denied.at - cut).toBeLessThan(2000);
      for (const action of ['repay', 'addCollateral'] as const) {
        const asset = action === 'repay' ? 'USDC' : 'BTC';
        const r = await preTrade(b.checkRiskUrl, borrow('pf-stale', 'it', { action, asset }));
        expect([action, r.decision, r.reasons]).toEqual([action, 'APPROVE', []]);
      }
    } finally {
      await b.faultStops(false);
    }
    // Confirmed again: borrows pass again.
    await pollUntil(
      b.checkRiskUrl,
      () => borrow('pf-stale', 'it'),
      (r) => r.decision === 'APPROVE',
      3000,
    );
  });
});
