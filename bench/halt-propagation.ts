/**
 * risk.halt.*: how long a kill-switch stop takes to reach another checkRisk instance. Two instances, each its own
 * OS process serving the production wiring through the Functions Framework (test/support/controls-stack.ts), on
 * one Firestore emulator project; process A also serves riskAdmin. Each cycle engages HALTED on a desk through
 * riskAdmin over HTTP and, from the moment the engage answer arrives, sends borrows on a portfolio of that desk to
 * process B one after another until B denies with the stop (propagation_ms), then releases the stop (one admin
 * requests, a second approves) and waits until B approves again. propagation_ms is the median over the cycles,
 * with its min and max; engage_ms is the admin call's own time (the stop is committed within it), so
 * engage_ms + propagation_ms bounds the time from the operator's click. B polls the stop state every 200 ms.
 */
import { startEmulators } from '../local-stack/emulators';
import { FirestoreDocumentStore } from '../shared/adapters/gcp/firestore-document-store';
import type { PolicyScope } from '../shared/domain/controls/policy';
import {
  borrow,
  measureHalt,
  pollUntil,
  releaseStop,
  seedMarketState,
  seedPortfolio,
  startControlsProcess,
  type ControlsProcess,
} from '../test/support/controls-stack';
import type { BenchFigure } from './areas';

// At least 5 cycles (BENCH_HALT_CYCLES for more).
const CYCLES = Math.max(5, Number(process.env.BENCH_HALT_CYCLES ?? 7));
const DESK = 'bench-halt-desk';
const PORTFOLIO = 'bench-halt-1';
const SCOPE: PolicyScope = { level: 'desk', deskId: DESK };

function median(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
const round = (x: number) => Math.round(x * 10) / 10;
const approved = (r: { decision: string }) => r.decision === 'APPROVE';

export async function runHaltPropagationBenchmarks(): Promise<BenchFigure[]> {
  // No metadata server exists locally; without this the Google clients probe for one and warn.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const emulators = await startEmulators();
  const projectId = `bench-halt-${process.pid}`;
  const store = new FirestoreDocumentStore({ projectId, emulatorHost: emulators.firestoreHost });
  const started: ControlsProcess[] = [];
  const start = async (label: string, riskAdmin: boolean) => {
    const p = await startControlsProcess({
      label,
      projectId,
      firestoreHost: emulators.firestoreHost,
      pubsubHost: emulators.pubsubHost,
      riskAdmin,
    });
    started.push(p);
    return p;
  };
  try {
    await seedMarketState(store);
    await seedPortfolio(store, PORTFOLIO, DESK);
    const [a, b] = await Promise.all([start('a', true), start('b', false)]);
    const riskAdminUrl = a.riskAdminUrl ?? '';
    // Both instances warm (their state loaded at the first request) and approving.
    for (const p of [a, b])
      await pollUntil(p.checkRiskUrl, () => borrow(PORTFOLIO, 'bench'), approved, 10_000);

    const propagation: number[] = [];
    const engage: number[] = [];
    for (let i = 0; i < CYCLES; i++) {
      await seedMarketState(store); // prices stay fresh however long the run takes
      await pollUntil(b.checkRiskUrl, () => borrow(PORTFOLIO, 'bench'), approved, 5000);
      // A varying pause, so engages do not fall at one phase of B's 200 ms poll.
      await new Promise((r) => setTimeout(r, (i * 67) % 200));
      const m = await measureHalt({
        riskAdminUrl,
        checkRiskUrl: b.checkRiskUrl,
        scope: SCOPE,
        portfolioId: PORTFOLIO,
        reason: `bench cycle ${i}`,
        label: 'bench',
      });
      propagation.push(m.propagationMs);
      engage.push(m.engageMs);
      await releaseStop(riskAdminUrl, SCOPE, `bench cycle ${i} done`);
    }
    propagation.sort((x, y) => x - y);
    engage.sort((x, y) => x - y);
    return [
      { name: 'risk.halt.propagation_ms', value: round(median(propagation)), unit: 'ms' },
      { name: 'risk.halt.propagation_min_ms', value: round(propagation[0]), unit: 'ms' },
      { name: 'risk.halt.propagation_max_ms', value: round(propagation.at(-1) ?? NaN), unit: 'ms' },
      { name: 'risk.halt.engage_ms', value: round(median(engage)), unit: 'ms' },
      { name: 'risk.halt.cycles', value: CYCLES, unit: 'cycles' },
    ];
  } finally {
    await Promise.allSettled(started.map((p) => p.stop()));
    await store.close();
    await emulators.stop();
  }
}
