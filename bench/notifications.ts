/**
 * Notifications throughput and latency, dedup and rate limits on, through the emulators, with the real
 * @sendgrid/mail and twilio clients calling the local provider servers.
 *
 * Two measurements, because the Pub/Sub emulator is not Cloud Run:
 * 1. One instance receiving deliveries concurrently, as Cloud Run does (up to 80 requests in flight per
 *    instance): alerts are handed to the fanOutNotifications CloudEvent handler and each dispatch it
 *    publishes to the deliverNotification handler, in-process, with Firestore on its emulator and DuckDB as
 *    the warehouse. → notifications.throughput_per_s, notifications.alert_to_provider.p99_ms
 * 2. The same functions behind the Pub/Sub emulator's push subscriptions. The emulator keeps about two
 *    pushes in flight per subscription, so its throughput is bounded by 2 / handler latency, whatever the
 *    code does. → notifications.emulator_push.* with the handler latency that explains the bound.
 * Latency is from the moment the alert is handed to fanOutNotifications (or published) to the moment the
 * provider server accepted the call (SendGrid 202, Twilio 201, webhook 2xx).
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { FirestoreDocumentStore } from '../shared/adapters/gcp/firestore-document-store';
import { DuckDbWarehouse } from '../shared/adapters/local/duckdb-warehouse';
import { MemoryDocumentStore } from '../test/support/memory/memory-document-store';
import { contentId } from '../shared/domain/ids';
import { generateWebhookSecret } from '../shared/domain/notifications/standard-webhooks';
import { NOTIFICATION_COLLECTIONS as C, type MarginAlert } from '../shared/domain/notifications/types';
import { deliverNotification } from '../functions/deliver-notification/wiring';
import { fanOutNotifications } from '../functions/fan-out-notifications/wiring';
import { startEmulators } from '../local-stack/emulators';
import { FaultPlan, startSendGridServer } from '../local-stack/providers/sendgrid-server';
import { startTwilioServer } from '../local-stack/providers/twilio-server';
import { startWebhookReceiver } from '../local-stack/providers/webhook-receiver';
import { startLocalStack, type LocalStack } from '../local-stack/stack';
import type { NotificationsServices } from '../local-stack/areas/notifications';
import { localPlatform } from '../local-stack/platform';
import { ManualClock } from '../shared/platform/clocks';
import { StructuredLogger } from '../shared/platform/logger';
import { encodeMessage } from '../shared/platform/messages';
import type { MessagePublishedData } from '../shared/platform/triggers/pubsub-handler';
import type { DocumentStore } from '../shared/ports/document-store';
import type { EventBus, PublishOptions } from '../shared/ports/event-bus';
import type { TopicName } from '../shared/topology/topology';
import type { BenchFigure } from './areas';
import { pool } from './pool';
import { percentile } from './percentile';
import { countingStore, roundTrips } from './counting-store';
import { startCpuSplit } from './cpu-split';
import { runFirestoreOpMix } from './firestore-op-mix';
import { benchRecipient } from './bench-recipient';
import { marginCallAlert } from './margin-call-alert';
import { runProviderFloor } from './provider-floor';

const ALERTS = 500;
/** How long the two-process run keeps offering alerts (the goal is a rate sustained for 60 s). */
const SUSTAIN_SECONDS = Number(process.env.NOTIF_SUSTAIN_S ?? 60);
/** Alerts seeded per process for the sustained run: enough for ~450 notifications/s per process over 60 s. */
const SUSTAIN_ALERTS = Math.ceil(SUSTAIN_SECONDS * 150);
/** Width of the windows the sustained run reports its rate in. */
const WINDOW_SECONDS = 10;
const WARMUP_ALERTS = 60;
/** Alerts offered at half the measured throughput, for latency under load rather than in a queue. */
const PACED_ALERTS = 150;
/** Share of alerts that arrive twice (redeliveries): the dedup path is measured too. */
const DUPLICATE_EVERY = 5;
const INSTANCE_CONCURRENCY = 80; // Cloud Run's default per-instance concurrency
const PUSH_ALERTS = 80;
/** The largest limits the configuration accepts, far above what the bench sends. */
const UNLIMITED_RATES = Object.fromEntries(
  ['EMAIL', 'SMS', 'WEBHOOK'].flatMap((c) => [
    [`NOTIFY_RATE_${c}_BURST`, '10000'],
    [`NOTIFY_RATE_${c}_PER_HOUR`, '1000000'],
  ]),
);
const TWILIO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'bench', from: '+15005550006' };

const round = (x: number) => Math.round(x * 10) / 10;

function alertFor(i: number, start: number, tag = ''): MarginAlert {
  const portfolioId = `bench-${tag}${i}`;
  const eventId = contentId('me', 'bench', portfolioId, start);
  return marginCallAlert({ eventId, portfolioId, tickId: 'tick-bench', asOf: new Date(start).toISOString() });
}

/** One owner per portfolio with e-mail, SMS and a signed webhook. */
async function seed(
  store: DocumentStore,
  n: number,
  webhook: (id: string) => { url: string; secretName: string },
  tag = '',
): Promise<void> {
  const work = Array.from({ length: n }, (_, i) => async () => {
    const id = `owner-${tag}${i}`;
    const doc = benchRecipient(id, i, webhook(id));
    await store.set(C.recipients, id, doc);
    const portfolioId = `bench-${tag}${i}`;
    await store.set(C.portfolioOwners, portfolioId, { portfolioId, recipientIds: [id] });
  });
  await pool(work, 32);
}

/** Provider acceptance times per alert id, from what the local servers recorded. */
function acceptedAt(
  n: Pick<NotificationsServices, 'sendgrid' | 'twilio' | 'webhooks'>,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const add = (alertId: string | undefined, at: number) => {
    if (alertId) out.set(alertId, [...(out.get(alertId) ?? []), at]);
  };
  for (const e of n.sendgrid.emails) add(e.customArgs.alert_id, e.receivedAt);
  for (const w of n.webhooks.received)
    add((w.body as { data: { alertId: string } }).data.alertId, w.receivedAt);
  // The SMS carries a short reference (the first 11 characters of the event id).
  const byRef = new Map<string, string>();
  for (const id of [...out.keys()]) byRef.set(id.slice(0, 11), id);
  for (const m of n.twilio.messages) add(byRef.get(/Ref (\S+)$/.exec(m.body)?.[1] ?? ''), m.receivedAt);
  return out;
}

function latencies(started: Map<string, number>, accepted: Map<string, number[]>): number[] {
  const out: number[] = [];
  for (const [id, t0] of started) for (const t of accepted.get(id) ?? []) out.push(t - t0);
  return out.sort((a, b) => a - b);
}

/** A bus that hands dispatches straight to the deliver handler, as a push would, validating like Pub/Sub. */
class InProcessBus implements EventBus {
  deliver?: (ce: CloudEvent<MessagePublishedData>) => Promise<void>;
  readonly inFlight = new Set<Promise<void>>();
  /** Deliveries that failed and were pushed again after a short backoff, as Pub/Sub does. */
  redeliveries = 0;
  failures = 0;
  private seq = 0;

  async publish(topic: TopicName, message: unknown, options: PublishOptions = {}): Promise<string> {
    const data = encodeMessage(topic, message);
    const id = String(++this.seq);
    if (topic === 'notifications.dispatch.v1') this.push(cloudEvent(topic, data, id, options.attributes), 1);
    return id;
  }

  private push(ce: CloudEvent<MessagePublishedData>, attempt: number): void {
    if (!this.deliver) return;
    const p = this.deliver(ce)
      .catch(async () => {
        if (attempt >= 5) return void this.failures++;
        this.redeliveries++;
        await new Promise((r) => setTimeout(r, 200));
        this.push(ce, attempt + 1);
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  async publishRaw(): Promise<string> {
    this.failures++;
    return String(++this.seq);
  }
}

function cloudEvent(
  topic: string,
  data: Buffer,
  id: string,
  attributes: Record<string, string> = {},
): CloudEvent<MessagePublishedData> {
  return {
    specversion: '1.0',
    id,
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: `//pubsub.googleapis.com/projects/bench/topics/${topic}`,
    data: { message: { data: data.toString('base64'), messageId: id, attributes }, subscription: 'bench' },
  } as CloudEvent<MessagePublishedData>;
}

interface InstanceOptions {
  /** Keeps this instance's portfolios, owners and alerts apart from another's on the same store. */
  tag?: string;
  /** Awaited between the warm-up and the measured run: where two processes wait for each other. */
  beforeMeasured?: () => Promise<void>;
  /** Called with the measured run's provider calls and wall-clock bounds. */
  onMeasured?: (m: MeasuredRun) => void;
  /** Keep offering alerts for this long instead of measuring a fixed batch of ALERTS. */
  sustainSeconds?: number;
}

interface MeasuredRun {
  sent: number;
  /** Alerts handed to the fan-out (each worth three provider calls). */
  alerts: number;
  startedAtMs: number;
  endedAtMs: number;
  /** Provider calls accepted per second in consecutive WINDOW_SECONDS windows of the measured run. */
  windows: number[];
  /** Provider calls beyond one per channel for an alert: must be 0 (exactly once per dispatch). */
  duplicates: number;
}

/** Calls beyond the three channels an alert's one recipient has, summed over the alerts. */
function duplicateCalls(accepted: Map<string, number[]>): number {
  let n = 0;
  for (const at of accepted.values()) n += Math.max(0, at.length - 3);
  return n;
}

export async function oneInstance(
  target: DocumentStore & { close?: () => Promise<void> },
  prefix: string,
  label: string,
  options: InstanceOptions = {},
): Promise<BenchFigure[]> {
  const tag = options.tag ?? '';
  const measuredAlerts = options.sustainSeconds ? SUSTAIN_ALERTS : ALERTS;
  const { store, counts } = countingStore(target);
  const start = Date.parse('2020-03-12T23:59:00Z');
  const clock = new ManualClock(new Date(start));
  const projectId = `bench-notif-${process.pid}`;
  // Unwrapped, as BigQuery is in production: the functions' wiring batches their own inserts.
  const warehouse = await DuckDbWarehouse.open(':memory:');
  const sendgrid = await startSendGridServer({ apiKey: 'SG.bench', faults: new FaultPlan() });
  const twilio = await startTwilioServer({ ...TWILIO, from: [TWILIO.from], faults: new FaultPlan() });
  const webhooks = await startWebhookReceiver({ secrets: {}, clock, faults: new FaultPlan() });
  const secretValues = new Map<string, string>([
    ['SENDGRID_API_KEY', 'SG.bench'],
    ['TWILIO_AUTH_TOKEN', TWILIO.authToken],
  ]);
  const secrets = { get: async (name: string) => secretValues.get(name) ?? '' };
  const logger = new StructuredLogger({ projectId, minSeverity: 'ERROR', sink: () => undefined });
  const bus = new InProcessBus();
  // The functions' own wiring, with rate limits lifted so the bench measures throughput, not the limiter.
  const platform = localPlatform({
    env: {
      ENVIRONMENT: 'local',
      SENDGRID_BASE_URL: `${sendgrid.url}/`,
      TWILIO_BASE_URL: twilio.url,
      TWILIO_ACCOUNT_SID: TWILIO.accountSid,
      NOTIFY_WEBHOOK_ALLOW_LOOPBACK: 'true', // the local receiver is on http://127.0.0.1
      ...UNLIMITED_RATES,
      // NOTIFY_SENDGRID_BATCH_SIZE=1 in the bench's environment: every e-mail alone (the reference before batching).
      ...(process.env.NOTIFY_SENDGRID_BATCH_SIZE
        ? { NOTIFY_SENDGRID_BATCH_SIZE: process.env.NOTIFY_SENDGRID_BATCH_SIZE }
        : {}),
    },
    store,
    bus,
    warehouse,
    clock,
    logger,
    secrets,
  });
  const fanOut = fanOutNotifications.serve(async () => platform);
  bus.deliver = deliverNotification.serve(async () => platform);
  try {
    await seed(
      store,
      measuredAlerts + WARMUP_ALERTS + PACED_ALERTS,
      (id) => {
        const secret = generateWebhookSecret();
        secretValues.set(`NOTIFY_WEBHOOK_${id}`, secret);
        return { url: webhooks.addEndpoint(id, secret), secretName: `NOTIFY_WEBHOOK_${id}` };
      },
      tag,
    );
    /** Offers alerts [from, to) at the instance's concurrency; none after `deadline` (performance.now()). */
    const run = async (from: number, to: number, deadline = Infinity) => {
      const started = new Map<string, number>();
      const tasks: (() => Promise<unknown>)[] = [];
      for (let i = from; i < to; i++) {
        const a = alertFor(i, start, tag);
        const data = encodeMessage('alerts.margin.v1', a);
        const send = async () => {
          if (performance.now() > deadline) return;
          if (!started.has(a.eventId)) started.set(a.eventId, Date.now());
          // Keep at most INSTANCE_CONCURRENCY requests (fan-outs and deliveries) in flight.
          while (bus.inFlight.size >= INSTANCE_CONCURRENCY) await Promise.race(bus.inFlight);
          await fanOut(cloudEvent('alerts.margin.v1', data, `a-${i}`));
        };
        tasks.push(send);
        if (i % DUPLICATE_EVERY === 0) tasks.push(send); // a redelivered alert: dedup path, nothing new sent
      }
      const t0 = performance.now();
      await pool(tasks, 16);
      while (bus.inFlight.size) await Promise.all([...bus.inFlight]);
      return { started, seconds: (performance.now() - t0) / 1000 };
    };
    /** Alerts at a steady rate: latency at a load the instance sustains, not the depth of a queue. */
    const paced = async (from: number, to: number, alertsPerSecond: number) => {
      const started = new Map<string, number>();
      const t0 = performance.now();
      const handed: Promise<void>[] = [];
      for (let i = from; i < to; i++) {
        const wait = t0 + ((i - from) * 1000) / alertsPerSecond - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const a = alertFor(i, start, tag);
        started.set(a.eventId, Date.now());
        handed.push(fanOut(cloudEvent('alerts.margin.v1', encodeMessage('alerts.margin.v1', a), `p-${i}`)));
      }
      await Promise.all(handed);
      while (bus.inFlight.size) await Promise.all([...bus.inFlight]);
      return started;
    };
    await run(measuredAlerts, measuredAlerts + WARMUP_ALERTS); // warm-up: JIT, connections, emulator
    await options.beforeMeasured?.();
    const accepted = () => sendgrid.emails.length + twilio.messages.length + webhooks.received.length;
    const before = accepted();
    const tripsBefore = roundTrips(counts);
    const split = startCpuSplit();
    const startedAtMs = Date.now();
    const windows: number[] = [];
    let windowFrom = before;
    const sampler = setInterval(() => {
      windows.push(round((accepted() - windowFrom) / WINDOW_SECONDS));
      windowFrom = accepted();
    }, WINDOW_SECONDS * 1000);
    const deadline = options.sustainSeconds ? performance.now() + options.sustainSeconds * 1000 : Infinity;
    const { started, seconds } = await run(0, measuredAlerts, deadline).finally(() => clearInterval(sampler));
    const cpu = split();
    const sent = accepted() - before;
    const byAlert = acceptedAt({ sendgrid, twilio, webhooks });
    const duplicates = duplicateCalls(byAlert);
    options.onMeasured?.({
      sent,
      alerts: started.size,
      startedAtMs,
      endedAtMs: Date.now(),
      windows,
      duplicates,
    });
    const tripsPerCall = (roundTrips(counts) - tripsBefore) / sent;
    const queued = latencies(started, byAlert);
    const from = measuredAlerts + WARMUP_ALERTS;
    const rate = Math.max(1, sent / seconds / 3 / 2);
    const lat = latencies(
      await paced(from, from + PACED_ALERTS, rate),
      acceptedAt({ sendgrid, twilio, webhooks }),
    );
    return [
      {
        name: `${prefix}.throughput_per_s`,
        value: round(sent / seconds),
        unit: `notifications/s (${label})`,
      },
      {
        name: `${prefix}.store_calls_per_call`,
        value: round(tripsPerCall),
        unit: 'document store calls per notification sent (counted on the handlers, redeliveries included; the Firestore store sends the single-document calls of one turn together)',
      },
      {
        name: `${prefix}.cpu`,
        value: `${cpu.emulatorPercent} % emulator JVM, ${cpu.nodePercent} % node`,
        unit: '% of one core each, during the throughput run (2 cores = 200 %)',
      },
      {
        name: `${prefix}.alert_to_provider.p99_ms`,
        value: round(percentile(lat, 0.99)),
        unit: `ms (alerts offered steadily at half that throughput, ${round(rate * 3)} notifications/s)`,
      },
      { name: `${prefix}.alert_to_provider.p50_ms`, value: round(percentile(lat, 0.5)), unit: 'ms' },
      {
        name: `${prefix}.saturated.alert_to_provider.p99_ms`,
        value: round(percentile(queued, 0.99)),
        unit: `ms (all ${ALERTS} alerts at once: mostly time queued behind ${INSTANCE_CONCURRENCY} in flight)`,
      },
      {
        name: `${prefix}.delivered`,
        value: `${sent}/${started.size * 3}`,
        unit: `provider calls accepted; ${Math.ceil(started.size / DUPLICATE_EVERY)} duplicate alerts; ${bus.redeliveries} deliveries retried (claim busy), ${bus.failures} failed; ${duplicates} duplicate provider calls; ${sendgrid.emails.length} e-mails in ${sendgrid.requests} SendGrid requests (whole run)`,
      },
    ];
  } finally {
    await sendgrid.close();
    await twilio.close();
    await webhooks.close();
    await store.close?.();
    await warehouse.close();
  }
}

async function throughEmulatorPush(emulators: {
  pubsubHost: string;
  firestoreHost: string;
}): Promise<BenchFigure[]> {
  const start = Date.parse('2020-03-13T23:59:00Z');
  const clock = new ManualClock(new Date(start));
  const stack: LocalStack = await startLocalStack({
    projectId: `bench-notif-push-${process.pid}`,
    ...emulators,
    clock,
    prices: () => 1,
  });
  try {
    const n = stack.areas.notifications;
    await seed(stack.store, PUSH_ALERTS, (id) => n.registerWebhookEndpoint(id));
    const started = new Map<string, number>();
    const t0 = performance.now();
    for (let i = 0; i < PUSH_ALERTS; i++) {
      const a = alertFor(i, start);
      started.set(a.eventId, Date.now());
      await stack.bus.publish('alerts.margin.v1', a);
    }
    const want = PUSH_ALERTS * 3;
    const count = () => n.sendgrid.emails.length + n.twilio.messages.length + n.webhooks.received.length;
    const deadline = Date.now() + 120_000;
    while (count() < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - t0) / 1000;
    const lat = latencies(started, acceptedAt(n));
    await stack.settle(500);
    const d = stack.meter.deliveries.get('notifications.dispatch.v1 → deliverNotification');
    const handled = d ? d.handled + d.failed + d.rejected : 0;
    const meanMs = d && handled ? d.totalMs / handled : NaN;
    return [
      {
        name: 'notifications.emulator_push.throughput_per_s',
        value: round(count() / seconds),
        unit: 'notifications/s (Pub/Sub emulator push, ~2 in flight per subscription)',
      },
      {
        name: 'notifications.emulator_push.alert_to_provider.p99_ms',
        value: round(percentile(lat, 0.99)),
        unit: 'ms',
      },
      {
        name: 'notifications.emulator_push.deliver_handler.mean_ms',
        value: round(meanMs),
        unit: 'ms per push',
      },
      {
        name: 'notifications.emulator_push.bound_per_s',
        value: round((2 * 1000) / meanMs),
        unit: 'deliveries/s = 2 in flight / mean handler time (the emulator, not the code, sets this)',
      },
      {
        name: 'notifications.emulator_push.delivered',
        value: `${count()}/${want}`,
        unit: 'provider calls accepted',
      },
    ];
  } finally {
    await stack.stop();
  }
}

type ChildMessage = { kind: 'ready' } | ({ kind: 'measured' } & MeasuredRun);

/** Resolves with the first message of `kind` from `child` (listen before it can arrive). */
function messageOf<K extends ChildMessage['kind']>(
  child: ChildProcess,
  kind: K,
): Promise<Extract<ChildMessage, { kind: K }>> {
  return new Promise((resolve) => {
    const on = (m: ChildMessage) => {
      if (m.kind !== kind) return;
      child.off('message', on);
      resolve(m as Extract<ChildMessage, { kind: K }>);
    };
    child.on('message', on);
  });
}

/**
 * Two function processes against one Firestore emulator, each one instance at 80 in flight with its own
 * provider servers and its own portfolios: both warm up, then offer alerts together for SUSTAIN_SECONDS. The
 * throughput is every call both accepted over the span from the first start to the last end; the windows show
 * whether the rate held.
 */
async function twoProcesses(firestoreHost: string): Promise<BenchFigure[]> {
  const projectId = `bench-notif2-${process.pid}`;
  const children = ['a', 'b'].map((tag) =>
    fork(__filename, [], {
      execArgv: process.execArgv, // the TypeScript loader this process runs under
      env: {
        ...process.env,
        NOTIF_CHILD_TAG: tag,
        NOTIF_FIRESTORE_HOST: firestoreHost,
        NOTIF_PROJECT_ID: projectId,
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  const exited = children.map(
    (c) =>
      new Promise<void>((resolve, reject) =>
        c.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`bench child exited with ${code}`)),
        ),
      ),
  );
  const ready = children.map((c) => messageOf(c, 'ready'));
  const measured = children.map((c) => messageOf(c, 'measured'));
  try {
    await Promise.race([Promise.all(ready), Promise.all(exited)]);
    for (const c of children) c.send('go');
    const runs = await Promise.race([Promise.all(measured), Promise.all(exited).then(() => [])]);
    await Promise.all(exited);
    if (runs.length !== children.length) throw new Error('a bench child ended before its measured run');
    const sent = runs.reduce((n, r) => n + r.sent, 0);
    const span =
      (Math.max(...runs.map((r) => r.endedAtMs)) - Math.min(...runs.map((r) => r.startedAtMs))) / 1000;
    // Both processes' windows added up: the rate the pair held in each WINDOW_SECONDS of the run.
    const windows = runs[0].windows.map((w, i) =>
      round(runs.reduce((sum, r) => sum + (r.windows[i] ?? 0), 0)),
    );
    return [
      {
        name: 'notifications.two_processes.throughput_per_s',
        value: round(sent / span),
        unit: `notifications/s (two processes, 80 in flight each, one Firestore emulator, alerts offered for ${SUSTAIN_SECONDS} s, ${round(span)} s to the last call; each process ${runs.map((r) => round((r.sent * 1000) / (r.endedAtMs - r.startedAtMs))).join(' and ')}/s)`,
      },
      {
        name: 'notifications.two_processes.windows_per_s',
        value: windows.join(', '),
        unit: `notifications/s of both processes in each ${WINDOW_SECONDS}-s window (min ${Math.min(...windows)}, max ${Math.max(...windows)})`,
      },
      {
        name: 'notifications.two_processes.delivered',
        value: `${sent}/${runs.reduce((n, r) => n + r.alerts * 3, 0)}`,
        unit: `provider calls accepted; ${runs.reduce((n, r) => n + r.duplicates, 0)} duplicate provider calls`,
      },
    ];
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
}

/** A child of twoProcesses: one instance on the shared emulator, measured when the parent says go. */
async function runChild(tag: string): Promise<void> {
  const send = (m: ChildMessage) => process.send?.(m);
  const store = new FirestoreDocumentStore({
    projectId: process.env.NOTIF_PROJECT_ID ?? `bench-notif2-${process.ppid}`,
    emulatorHost: process.env.NOTIF_FIRESTORE_HOST,
  });
  await oneInstance(store, `notifications.two_processes.${tag}`, `process ${tag}`, {
    tag: `${tag}-`,
    sustainSeconds: SUSTAIN_SECONDS,
    beforeMeasured: () =>
      new Promise<void>((resolve) => {
        process.once('message', () => resolve());
        send({ kind: 'ready' });
      }),
    onMeasured: (m) => send({ kind: 'measured', ...m }),
  });
}

/** The in-memory reference alone (profiling the code path without the emulators). */
export async function runMemoryReference(): Promise<BenchFigure[]> {
  return oneInstance(
    new MemoryDocumentStore(),
    'notifications.reference_memory_store',
    'same, in-memory store',
  );
}

export async function runNotificationBenchmarks(): Promise<BenchFigure[]> {
  process.env.METADATA_SERVER_DETECTION ??= 'none'; // no metadata server locally
  const emulators = await startEmulators();
  const load = [
    {
      name: 'notifications.host.load_average_1m',
      value: round(loadavg()[0]),
      unit: `runnable processes on ${cpus().length} CPU(s) when the benchmark started (context for the figures)`,
    },
  ];
  try {
    const firestore = new FirestoreDocumentStore({
      projectId: `bench-notif-${process.pid}`,
      emulatorHost: emulators.firestoreHost,
    });
    const throughEmulator = await oneInstance(
      firestore,
      'notifications',
      'one instance, 80 in flight, Firestore emulator',
    );
    const trips = throughEmulator.find((f) => f.name === 'notifications.store_calls_per_call')?.value;
    // The same instance with one store request per call, as before the store gathered a turn's calls: the
    // reference for what gathering moved, measured in this run.
    const oneRequestEach = await oneInstance(
      new FirestoreDocumentStore({
        projectId: `bench-notif-single-${process.pid}`,
        emulatorHost: emulators.firestoreHost,
        coalesce: false,
      }),
      'notifications.one_request_per_call',
      'one instance, 80 in flight, Firestore emulator, one store request per call',
    );
    return [
      ...load,
      ...throughEmulator,
      ...oneRequestEach.filter((f) => /throughput_per_s|delivered|cpu/.test(f.name)),
      // The bound the emulator sets: the same operation mix with no handler code.
      ...(await runFirestoreOpMix(emulators.firestoreHost, typeof trips === 'number' ? trips : undefined)),
      ...(await twoProcesses(emulators.firestoreHost)),
      ...(await throughEmulatorPush(emulators)),
      // Reference: the same handlers, clients and provider servers with an in-memory document store, i.e.
      // what the code costs when the Firestore emulator is not the bottleneck.
      ...(await oneInstance(
        new MemoryDocumentStore(),
        'notifications.reference_memory_store',
        'same, in-memory store',
      )),
      // The provider calls alone, same run: the ceiling of the in-memory reference.
      ...(await runProviderFloor()),
    ];
  } finally {
    await emulators.stop();
  }
}

if (require.main === module && process.env.NOTIF_CHILD_TAG) {
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  runChild(process.env.NOTIF_CHILD_TAG)
    .then(() => process.exit(0))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
} else if (require.main === module) {
  runNotificationBenchmarks()
    .then((rows) => {
      for (const r of rows) console.log(`${r.name}: ${r.value} ${r.unit}`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
