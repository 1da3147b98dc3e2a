/**
 * The Firestore emulator alone at the notification path's operation mix: the same reads, transactions and
 * writes per alert as fan-out + three deliveries make (see fan-out-notifications.ts and
 * deliver-notification.ts), with documents of the same shape, 80 in flight, but no handler code, no
 * provider call and no warehouse. What it sustains is the most the notifications bench can reach through
 * this emulator on this machine, whatever the code does; the bench prints it beside the measured throughput.
 */
import { randomUUID } from 'node:crypto';
import { FirestoreDocumentStore } from '../shared/adapters/gcp/firestore-document-store';
import { NOTIFICATION_COLLECTIONS as C, type Channel } from '../shared/domain/notifications/types';
import type { DocumentStore } from '../shared/ports/document-store';
import type { BenchFigure } from './areas';
import { KeyedQueue } from '../shared/platform/keyed-queue';
import { pool } from './pool';
import { benchRecipient } from './bench-recipient';
import { countingStore, roundTrips } from './counting-store';
import { startCpuSplit } from './cpu-split';

const ALERTS = 500;
const WARMUP_ALERTS = 60;
const DUPLICATE_EVERY = 5;
/** Alert chains in flight: each becomes three delivery chains, so about 80 store calls in flight. */
const CHAINS = 27;
const CHANNELS: Channel[] = ['email', 'sms', 'webhook'];

const round = (x: number) => Math.round(x * 10) / 10;

interface Ids {
  alertId: string;
  portfolioId: string;
  recipientId: string;
}

const idsOf = (run: string, i: number): Ids => ({
  alertId: `${run}-me-${i}`,
  portfolioId: `${run}-p-${i}`,
  recipientId: `${run}-owner-${i}`,
});

async function seed(store: DocumentStore, run: string, n: number): Promise<void> {
  const work = Array.from({ length: n }, (_, i) => async () => {
    const { portfolioId, recipientId } = idsOf(run, i);
    await store.set(
      C.recipients,
      recipientId,
      benchRecipient(recipientId, i, {
        url: `http://127.0.0.1:1/hooks/${recipientId}`,
        secretName: `NOTIFY_WEBHOOK_${recipientId}`,
      }),
    );
    await store.set(C.portfolioOwners, portfolioId, { portfolioId, recipientIds: [recipientId] });
  });
  await pool(work, 32);
}

const dispatchId = (ids: Ids, channel: Channel) => `${ids.alertId}:${ids.recipientId}:${channel}`;

/** One delivery: claim the send record, read the recipient's contact, settle the record with its log row. */
async function deliver(store: DocumentStore, ids: Ids, channel: Channel, at: number): Promise<void> {
  const id = dispatchId(ids, channel);
  const record = {
    dispatchId: id,
    channel,
    state: 'sending',
    owner: randomUUID(),
    leaseUntil: at + 60_000,
    attempts: 0,
    rows: [] as unknown[],
    updatedAt: new Date(at).toISOString(),
    expireAt: new Date(at + 7 * 86_400_000),
  };
  if (!(await store.createIfAbsent(C.sends, id, record))) {
    await store.get(C.sends, id); // a redelivery finds the settled record and sends nothing
    return;
  }
  await store.get(C.recipients, ids.recipientId);
  const row = {
    attempt_id: randomUUID(),
    dispatch_id: id,
    alert_id: ids.alertId,
    alert_kind: 'margin.MARGIN_CALL',
    severity: 'CRITICAL',
    recipient_id: ids.recipientId,
    channel,
    provider: channel,
    attempt: 1,
    latency_ms: 3.2,
    attempted_at: new Date(at).toISOString(),
    outcome: 'delivered',
    final: true,
    recipient_error: false,
    status_code: 202,
    provider_code: null,
    provider_message_id: randomUUID(),
    detail: null,
  };
  await store.set(C.sends, id, { ...record, state: 'sent', attempts: 1, rows: [row] });
}

/** One alert: the fan-out's reads and decision transaction, then its three deliveries side by side. */
async function alert(store: DocumentStore, ids: Ids, at: number): Promise<void> {
  const decisionId = ids.alertId;
  // The decision and the audience in one turn, as fanOutNotifications reads them.
  const [recorded] = await Promise.all([
    store.get(C.decisions, decisionId),
    store.get(C.portfolioOwners, ids.portfolioId),
  ]);
  if (recorded) {
    // A redelivered alert: the recorded decision is published again; each delivery finds its record settled.
    await Promise.all(CHANNELS.map((ch) => deliver(store, ids, ch, at)));
    return;
  }
  await store.getMany(C.recipients, [ids.recipientId]);
  const dedupId = `margin.MARGIN_CALL:${ids.portfolioId}:${ids.recipientId}`;
  await store.runTransaction(async (tx) => {
    await tx.getAll([
      { collection: C.decisions, id: decisionId },
      { collection: C.dedup, id: dedupId },
      { collection: C.rateLimits, id: ids.recipientId },
    ]);
    const expireAt = new Date(at + 7 * 86_400_000);
    const buckets = Object.fromEntries(CHANNELS.map((ch) => [ch, { tokens: 9_999, updatedAt: at }]));
    tx.set(C.rateLimits, ids.recipientId, { buckets, expireAt });
    tx.set(C.dedup, dedupId, {
      lastSentAt: at,
      lastLevel: 3,
      recent: [{ alertId: ids.alertId, at, channels: CHANNELS }],
      expireAt,
    });
    tx.set(C.decisions, decisionId, {
      alertId: ids.alertId,
      decidedAt: at,
      recipients: [
        {
          recipientId: ids.recipientId,
          verdict: 'send',
          skipped: [],
          rateLimited: [],
          sent: CHANNELS.map((channel) => ({ channel, dispatchId: dispatchId(ids, channel) })),
        },
      ],
      expireAt,
    });
  });
  await Promise.all(CHANNELS.map((ch) => deliver(store, ids, ch, at)));
}

async function runAlerts(
  store: DocumentStore,
  run: string,
  from: number,
  to: number,
  chains: number,
): Promise<number> {
  const at = Date.parse('2020-03-12T23:59:00Z');
  const tasks: (() => Promise<void>)[] = [];
  // As fanOutNotifications does: a second delivery of one alert waits in the instance for the first.
  const alerts = new KeyedQueue();
  for (let i = from; i < to; i++) {
    const ids = idsOf(run, i);
    const one = () => alerts.run(ids.alertId, () => alert(store, ids, at));
    tasks.push(one);
    if (i % DUPLICATE_EVERY === 0) tasks.push(one);
  }
  const t0 = performance.now();
  await pool(tasks, chains);
  return (performance.now() - t0) / 1000;
}

/**
 * The emulator's ceiling for the cheapest write, one document `set` with nothing read, at two instances' worth
 * in flight. Exactly-once delivery writes at least twice per notification (the claim before the provider call,
 * the settled record after), so half this ceiling bounds any design through this emulator.
 */
async function writeCeiling(store: DocumentStore, run: string, inFlight: number): Promise<number> {
  const n = 3_000;
  const doc = { state: 'sent', attempts: 1, rows: [], updatedAt: new Date(0).toISOString() };
  const write = (prefix: string) =>
    Array.from({ length: n }, (_, i) => () => store.set(C.sends, `${run}-${prefix}-${i}`, doc));
  await pool(write('warm').slice(0, 500), inFlight);
  const t0 = performance.now();
  await pool(write('w'), inFlight);
  return n / ((performance.now() - t0) / 1000);
}

/**
 * Runs the mix against the emulator at `firestoreHost`. `measuredRoundTripsPerCall` is what the handlers made
 * in the same run (from the counting store), printed beside the replay's own so the two mixes can be compared.
 */
export async function runFirestoreOpMix(
  firestoreHost: string,
  measuredRoundTripsPerCall?: number,
  chains = CHAINS,
): Promise<BenchFigure[]> {
  const firestore = new FirestoreDocumentStore({
    projectId: `bench-opmix-${process.pid}`,
    emulatorHost: firestoreHost,
  });
  const { store, counts } = countingStore(firestore);
  const run = `r${Date.now().toString(36)}`;
  try {
    await seed(store, run, ALERTS + WARMUP_ALERTS);
    await runAlerts(store, run, ALERTS, ALERTS + WARMUP_ALERTS, chains); // warm-up: connections, JIT, emulator
    const before = roundTrips(counts);
    const split = startCpuSplit();
    const seconds = await runAlerts(store, run, 0, ALERTS, chains);
    const cpu = split();
    const calls = ALERTS * CHANNELS.length; // a redelivered alert adds round trips, not provider calls
    const perCall = (roundTrips(counts) - before) / calls;
    const writes = await writeCeiling(firestore, run, 160);
    return [
      {
        name: 'notifications.emulator_alone.calls_per_s',
        value: round(calls / seconds),
        unit: `notifications/s: the Firestore emulator alone at the same operation mix, ${chains} alerts (~${chains * 3} calls) in flight, no handler code`,
      },
      {
        name: 'notifications.emulator_alone.store_calls_per_call',
        value: round(perCall),
        unit:
          measuredRoundTripsPerCall === undefined
            ? 'document store calls per notification'
            : `document store calls per notification (the handlers made ${round(measuredRoundTripsPerCall)})`,
      },
      {
        name: 'notifications.emulator_alone.writes_per_s',
        value: Math.round(writes),
        unit: `single-document sets/s at 160 in flight, gathered per turn into batched writes: exactly-once delivery writes twice per notification, so no design exceeds ${Math.round(writes / 2)} notifications/s through this store`,
      },
      {
        name: 'notifications.emulator_alone.cpu',
        value: `${cpu.emulatorPercent} % emulator JVM, ${cpu.nodePercent} % node`,
        unit: '% of one core each, while the mix ran (2 cores = 200 %)',
      },
    ];
  } finally {
    await firestore.close();
  }
}
