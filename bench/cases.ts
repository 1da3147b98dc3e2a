/**
 * aml.check.*: screenTransaction through HTTP against the warm function on the local stack (Functions Framework,
 * Firestore emulator, the Pub/Sub emulator pushing each screened transaction to evaluateAml, which delivers it in
 * the same process), open loop at RATE requests per second over USERS customers with the bundled policy and lists.
 * Each of three windows reports its p50/p99 of the answer time as the caller sees it; the figures are the medians
 * of the three with their spread. Every answer must be a decision (allow/review/block): a hold fails the bench.
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

// Overridable for a quick smoke run (BENCH_SCREEN_RATE=10 BENCH_SCREEN_SECONDS=2).
const RATE = Number(process.env.BENCH_SCREEN_RATE ?? 40);
const SECONDS = Number(process.env.BENCH_SCREEN_SECONDS ?? 8);
const WINDOWS = 3;
const USERS = 400;
const WARMUP = 60;
const EVENTS = 300;
const EXPORTS = 20;

const round = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]) => `${round(Math.min(...xs))}–${round(Math.max(...xs))}`;

const COUNTERPARTIES = ['Amelia Hartmann', 'Blue Harbor Capital LLC', 'Kenji Watanabe', 'Garantex Europa OU'];

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
        counterparty: { name: COUNTERPARTIES[i % COUNTERPARTIES.length], kind: 'individual', country: 'US' },
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

    const p50s: number[] = [];
    const p99s: number[] = [];
    const decisions = new Map<string, number>();
    for (let w = 0; w < WINDOWS; w++) {
      const total = RATE * SECONDS;
      const t0 = performance.now();
      const pending: ReturnType<typeof screen>[] = [];
      for (let i = 0; i < total; i++) {
        const wait = t0 + (i * 1000) / RATE - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        pending.push(screen());
      }
      const results = await Promise.all(pending);
      const held = results.filter((r) => r.status !== 200);
      if (held.length)
        throw new Error(`screenTransaction answered ${held.length} hold(s) in window ${w + 1}`);
      for (const r of results) decisions.set(r.decision ?? '?', (decisions.get(r.decision ?? '?') ?? 0) + 1);
      const ms = results.map((r) => r.ms).sort((a, b) => a - b);
      p50s.push(percentile(ms, 0.5));
      p99s.push(percentile(ms, 0.99));
      // Let the stream's deliveries finish so windows do not overlap with the last one's backlog.
      await stack.settle(500);
    }

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
        value: round(median(p50s)),
        unit: `ms (spread ${spread(p50s)}, ${WINDOWS} windows)`,
      },
      {
        name: 'aml.check.p99_ms',
        value: round(median(p99s)),
        unit: `ms (spread ${spread(p99s)}, ${WINDOWS} windows of ${RATE * SECONDS} at ${RATE}/s; ${[...decisions].map(([d, n]) => `${d} ${n}`).join(', ')})`,
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
