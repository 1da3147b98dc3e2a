/**
 * aml.check.*: screenTransaction through HTTP against the warm function on the local stack (Functions Framework,
 * Firestore emulator, the Pub/Sub emulator pushing each screened transaction to evaluateAml, which delivers it in
 * the same process on the same two cores), open loop over USERS customers with the bundled policy and lists, one
 * transaction in fifty to a sanctioned counterparty (blocked, a case opened). At the desk's peak rate (10/s) and at
 * four times it; each of three windows gives its p50/p99 of the answer time as the caller sees it, and the figures
 * are the medians of the three with their spread. Every answer must be a decision: a hold fails the bench.
 *
 * cases.trail_export.ms: GET /cases/{id}/trail of a case with a long trail (EVENTS events: linked alerts, notes,
 * actions) through complianceCases over HTTP, median of EXPORTS exports with the spread.
 */
import { startEmulators } from '../local-stack/emulators';
import { startLocalStack } from '../local-stack/stack';
import { DevKeyCipher } from '../shared/adapters/local/dev-key-cipher';
import type { AmlTransaction } from '../shared/domain/aml/window';
import { StructuredLogger } from '../shared/platform/logger';
import { addNote, linkToCase } from '../shared/use-cases/cases/case-store';
import type { BenchFigure } from './areas';
import { percentile } from './percentile';

// The desk's peak (README: ~10 transactions/s) and four times it; overridable for a smoke run (BENCH_SCREEN_SECONDS=2).
const PEAK_RATE = 10;
const STRESS_RATE = 40;
const SECONDS = Number(process.env.BENCH_SCREEN_SECONDS ?? 20);
const WINDOWS = 3;
const USERS = 5_000;
const WARMUP = 60;
const EVENTS = 300;
const EXPORTS = 20;

const round = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]) => `${round(Math.min(...xs))}–${round(Math.max(...xs))}`;

// One transaction in fifty goes to a sanctioned exchange: the check blocks it and the delivery opens a case.
const COUNTERPARTIES = [
  'Amelia Hartmann',
  'Blue Harbor Capital LLC',
  'Kenji Watanabe',
  'Sofia Alvarez Rojas',
];
const SANCTIONED = 'Garantex Europa OU';

export async function runCasesBenchmarks(): Promise<BenchFigure[]> {
  const emulators = await startEmulators();
  const stack = await startLocalStack({
    projectId: `bench-cases-${process.pid}`,
    pubsubHost: emulators.pubsubHost,
    firestoreHost: emulators.firestoreHost,
    clock: { now: () => new Date() },
    prices: () => 1, // no price tick runs in this benchmark
    areas: ['aml', 'cases'],
    logger: new StructuredLogger({ minSeverity: 'ERROR' }),
  });
  try {
    const url = stack.functionUrls.screenTransaction ?? '';
    let seq = 0;
    const screen = async () => {
      const i = seq++;
      const tx: AmlTransaction = {
        transactionId: `bench-${process.pid}-${i}`,
        userId: `bench-user-${i % USERS}`,
        accountOpenedAt: '2023-01-01T00:00:00Z',
        type: i % 2 ? 'WITHDRAWAL' : 'DEPOSIT',
        channel: 'WIRE',
        amount: String(500 + (i % 37) * 113),
        currency: 'USD',
        amountUsd: 500 + (i % 37) * 113,
        customerCountry: 'US',
        counterparty: {
          name: i % 50 === 7 ? SANCTIONED : COUNTERPARTIES[i % COUNTERPARTIES.length],
          kind: 'individual',
          country: 'US',
        },
        occurredAt: new Date(Date.now() - 1000).toISOString(),
      };
      const started = performance.now();
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: 'Bearer local:bench@lending' },
          body: JSON.stringify(tx),
        });
        const answer = (await res.json()) as { decision?: string };
        return { ms: performance.now() - started, status: res.status, decision: answer.decision };
      } catch {
        return { ms: performance.now() - started, status: 0, decision: undefined };
      }
    };
    for (let i = 0; i < WARMUP; i++) await screen();
    await stack.settle(500);

    const decisions = new Map<string, number>();
    /** WINDOWS windows of SECONDS at `rate`, open loop; each window's p50 and p99. */
    const measure = async (rate: number) => {
      const p50s: number[] = [];
      const p99s: number[] = [];
      for (let w = 0; w < WINDOWS; w++) {
        const total = Math.round(rate * SECONDS);
        const t0 = performance.now();
        const pending: ReturnType<typeof screen>[] = [];
        for (let i = 0; i < total; i++) {
          const wait = t0 + (i * 1000) / rate - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          pending.push(screen());
        }
        const results = await Promise.all(pending);
        const held = results.filter((r) => r.status !== 200);
        if (held.length) throw new Error(`screenTransaction answered ${held.length} hold(s) at ${rate}/s`);
        for (const r of results)
          decisions.set(r.decision ?? '?', (decisions.get(r.decision ?? '?') ?? 0) + 1);
        const ms = results.map((r) => r.ms).sort((a, b) => a - b);
        p50s.push(percentile(ms, 0.5));
        p99s.push(percentile(ms, 0.99));
        // Let the stream's deliveries finish so a window does not start in the last one's backlog.
        await stack.settle(500);
      }
      return { p50s, p99s, per: `${WINDOWS} windows of ${Math.round(rate * SECONDS)} at ${rate}/s` };
    };
    const peak = await measure(PEAK_RATE);
    const stress = await measure(STRESS_RATE);

    // A case with a long trail, written through the case store (alerts joining, notes, officers' actions).
    const deps = { store: stack.store, clock: { now: () => new Date() }, warehouse: stack.warehouse };
    const cipher = new DevKeyCipher({ ENVIRONMENT: 'local' });
    const subject = `bench-trail-${process.pid}`;
    const link = (n: number) => ({
      kind: 'aml_alert' as const,
      id: `aml_bench_${n}`,
      severity: 'WARNING' as const,
      at: new Date().toISOString(),
      ruleId: 'velocity.count.1h',
      summary: `Velocity: burst ${n}`,
    });
    const { caseId } = await linkToCase(deps, subject, link(0), 'bench');
    const half = Math.floor(EVENTS / 2);
    for (let n = 1; n < half; n++) await linkToCase(deps, subject, link(n), `bench-${n}`);
    const officer = { id: 'officer@fusion-risk.local', roles: ['officer' as const] };
    for (let n = half, version = half; n < EVENTS; n++, version++) {
      const note = await cipher.encrypt(Buffer.from(`Reviewed burst ${n}`), `case-note:${caseId}`);
      await addNote(deps, caseId, note, officer, version, `bench-note-${n}`);
    }
    const casesUrl = stack.functionUrls.complianceCases ?? '';
    const exportMs: number[] = [];
    let events = 0;
    for (let i = 0; i < EXPORTS + 2; i++) {
      const started = performance.now();
      const res = await fetch(`${casesUrl}/cases/${caseId}/trail`, {
        headers: { Authorization: `Bearer local:${stack.areas.cases.auditor}` },
      });
      const body = (await res.json()) as { events?: unknown[] };
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`trail export answered ${res.status}`);
      events = body.events?.length ?? 0;
      if (i >= 2) exportMs.push(ms); // two warm-up exports
    }

    return [
      {
        name: 'aml.check.p50_ms',
        value: round(median(peak.p50s)),
        unit: `ms (spread ${spread(peak.p50s)}, ${peak.per})`,
      },
      {
        name: 'aml.check.p99_ms',
        value: round(median(peak.p99s)),
        unit: `ms (spread ${spread(peak.p99s)}, ${peak.per})`,
      },
      {
        name: 'aml.check.p99_ms_at_4x_peak',
        value: round(median(stress.p99s)),
        unit: `ms (spread ${spread(stress.p99s)}, ${stress.per}; p50 ${round(median(stress.p50s))}; decisions ${[...decisions].map(([d, n]) => `${d} ${n}`).join(', ')})`,
      },
      {
        name: 'cases.trail_export.ms',
        value: round(median(exportMs)),
        unit: `ms (spread ${spread(exportMs)}, ${EXPORTS} exports of a ${events}-event trail)`,
      },
    ];
  } finally {
    await stack.stop();
    await emulators.stop();
  }
}
