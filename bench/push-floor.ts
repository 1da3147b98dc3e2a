/**
 * The Pub/Sub emulator alone in the shape of the price → alert pipeline: a tick pushed to a handler that
 * publishes 4 shard messages, each pushed to a handler that publishes one risk batch, each batch pushed to a
 * handler that publishes its portfolios' alerts (50 per tick), with push subscriptions to a bare HTTP server
 * and handlers that do nothing else. Its latency is what the emulator's three push hops cost before any
 * function does work: the floor under pipeline.price_to_alert, measured the same way (tick published →
 * each alert published, 40 ticks after 6 warm-up ticks).
 */
import type { PubSub, Topic } from '@google-cloud/pubsub';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulators } from '../local-stack/emulators';
import type { BenchFigure } from './areas';
import { percentile } from './percentile';

const TICKS = 46;
const WARMUP_TICKS = 6;
const SHARDS = 4;
const PORTFOLIOS = 50;
/** About the size of one portfolio's risk figures in a risk batch. */
const PORTFOLIO_BYTES = 1_000;
const HOPS = ['prices', 'shard', 'batch', 'alerts', 'hop'] as const;
/** Single messages, one at a time with nothing else queued: what one idle push hop costs. */
const SINGLE_HOPS = 60;

const round = (x: number) => Math.round(x * 10) / 10;

interface Work {
  tick: number;
  shard?: number;
  portfolios?: number[];
  pad?: string;
}

async function bodyOf(req: IncomingMessage): Promise<Work> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const push = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message: { data: string } };
  return JSON.parse(Buffer.from(push.message.data, 'base64').toString('utf8')) as Work;
}

export async function runPushFloor(): Promise<BenchFigure[]> {
  process.env.METADATA_SERVER_DETECTION ??= 'none'; // no metadata server locally
  const emulators = await startEmulators();
  const projectId = `bench-push-floor-${process.pid}`;
  const { PubSub } = await import('@google-cloud/pubsub');
  const pubsub: PubSub = new PubSub({ projectId, apiEndpoint: emulators.pubsubHost, emulatorMode: true });
  const topics = new Map<string, Topic>();
  for (const h of HOPS) {
    const [t] = await pubsub.createTopic(`floor.${h}`);
    // The functions' publisher settings (PubSubEventBus): a batch leaves after 1 ms.
    topics.set(h, pubsub.topic(t.name, { batching: { maxMilliseconds: 1, maxMessages: 500 } }));
  }
  const publish = (hop: (typeof HOPS)[number], w: Work) =>
    (topics.get(hop) as Topic).publishMessage({ data: Buffer.from(JSON.stringify(w)) });

  const tickAt = new Map<number, number>();
  const firstAt = new Map<string, number>();
  const latencies: number[] = [];
  let alerts = 0;
  const hopArrived = new Map<number, number>();
  const seen = (stage: string, tick: number) => {
    const key = `${stage}:${tick}`;
    const t0 = tickAt.get(tick);
    if (t0 !== undefined && !firstAt.has(key)) firstAt.set(key, performance.now() - t0);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const w = await bodyOf(req);
      const hop = req.url?.slice(1);
      seen(`${hop} handler`, w.tick);
      if (hop === 'hop') hopArrived.set(w.tick, performance.now());
      else if (hop === 'prices') {
        await Promise.all(
          Array.from({ length: SHARDS }, (_, shard) => publish('shard', { tick: w.tick, shard })),
        );
      } else if (hop === 'shard') {
        const portfolios = Array.from({ length: PORTFOLIOS }, (_, i) => i).filter(
          (i) => i % SHARDS === w.shard,
        );
        await publish('batch', {
          tick: w.tick,
          portfolios,
          pad: 'x'.repeat(portfolios.length * PORTFOLIO_BYTES),
        });
      } else if (hop === 'batch') {
        await Promise.all(
          (w.portfolios ?? []).map((p) => {
            const t0 = tickAt.get(w.tick);
            if (t0 !== undefined && w.tick >= WARMUP_TICKS) latencies.push(performance.now() - t0);
            alerts++;
            return publish('alerts', { tick: w.tick, portfolios: [p] });
          }),
        );
      }
      res.writeHead(204).end();
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const h of [...HOPS.slice(0, 3), 'hop'])
      await pubsub.topic(`floor.${h}`).createSubscription(`floor.${h}.push`, {
        pushConfig: { pushEndpoint: `${url}/${h}` },
        ackDeadlineSeconds: 60,
      });
    for (let tick = 0; tick < TICKS; tick++) {
      const expected = alerts + PORTFOLIOS;
      tickAt.set(tick, performance.now());
      await publish('prices', { tick });
      const deadline = Date.now() + 30_000;
      while (alerts < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      if (alerts < expected)
        throw new Error(`tick ${tick}: ${alerts - expected + PORTFOLIOS} of ${PORTFOLIOS} alerts`);
    }
    // One idle hop at a time, published at phases spread over 100 ms: the emulator's push loops poll an
    // empty backlog every 100 ms, so an idle hop waits anywhere in 0-100 ms.
    const single: number[] = [];
    for (let i = 0; i < SINGLE_HOPS; i++) {
      const t0 = performance.now();
      await publish('hop', { tick: i });
      const deadline = Date.now() + 5_000;
      while (!hopArrived.has(i) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      const at = hopArrived.get(i);
      if (at === undefined) throw new Error(`single hop ${i} never arrived`);
      single.push(at - t0);
      await new Promise((r) => setTimeout(r, 37 + (i % 7) * 11));
    }
    single.sort((a, b) => a - b);
    latencies.sort((a, b) => a - b);
    const stage = (name: string) => {
      const v = [...firstAt.entries()]
        .filter(([k]) => k.startsWith(`${name}:`) && Number(k.split(':')[1]) >= WARMUP_TICKS)
        .map(([, ms]) => ms)
        .sort((a, b) => a - b);
      return round(percentile(v, 0.5));
    };
    return [
      {
        name: 'pipeline.push_floor.price_to_alert.p50_ms',
        value: round(percentile(latencies, 0.5)),
        unit: `ms: the Pub/Sub emulator's three push hops with handlers that only publish (${SHARDS} shards, ${PORTFOLIOS} alerts per tick)`,
      },
      {
        name: 'pipeline.push_floor.price_to_alert.p99_ms',
        value: round(percentile(latencies, 0.99)),
        unit: 'ms',
      },
      {
        name: 'pipeline.push_floor.stages_p50_ms',
        value: `shard handler ${stage('shard handler')}, batch handler ${stage('batch handler')}`,
        unit: 'ms after the tick was published (first handler of that hop to start)',
      },
      {
        name: 'pipeline.push_floor.single_idle_hop_ms',
        value: `p10 ${round(percentile(single, 0.1))}, p50 ${round(percentile(single, 0.5))}, p90 ${round(percentile(single, 0.9))}`,
        unit: `ms from publish to the push arriving, ${SINGLE_HOPS} messages one at a time (the emulator's two push loops per subscription sleep 100 ms whenever the backlog is empty)`,
      },
    ];
  } finally {
    await new Promise((r) => server.close(r));
    await pubsub.close();
    await emulators.stop();
  }
}

if (require.main === module) {
  runPushFloor()
    .then((rows) => {
      for (const r of rows) console.log(`${r.name}: ${r.value} ${r.unit}`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
