/**
 * pipeline.price_to_alert.p99_ms: from the moment ingestPrices publishes a market.prices.v1 tick to the
 * moment detectMarginEvents publishes the resulting alerts.margin.v1, through the real emulators, push
 * subscriptions, the functions framework and the embedded warehouse. BTC alternates between two levels
 * each minute so every demo portfolio crosses the margin-call threshold on every tick.
 */
import { startEmulators } from '../local-stack/emulators';
import { startLocalStack } from '../local-stack/stack';
import { ManualClock } from '../shared/platform/clocks';
import { tickIdOf } from '../shared/domain/prices/ticks';
import type { BenchResult } from './var';
import { percentile } from './percentile';
import { seedBenchCloses } from './seed-closes';

const TICKS = 46;
/** Ticks that warm the emulators' JVMs and the Node JIT before anything is measured. */
const WARMUP_TICKS = 6;
const PORTFOLIOS = 50;
const HIGH = 20_000;
const LOW = 11_500; // 42.5 % below HIGH: inside the 50 % jump bound, and both sources agree on it

/**
 * `risk`: the risk path alone (as it runs on its own instances in the cloud); `all`: every area wired in the same
 * process on the same two cores (the alerts fan out to notifications, views update, and so on), as the issue asks.
 */
export type PipelineAreas = 'risk' | 'all';

/**
 * `back-to-back`: the next tick as soon as this tick's alerts are out, while other areas still work on them (a
 * tick every ~0.5 s: a stress figure). `drained`: the next tick once every area has finished with this one, as
 * at the Scheduler's 60-s cadence, where a tick's whole work ends long before the next (printed as drain time).
 */
export type PipelineCadence = 'back-to-back' | 'drained';

/** Quiet period that counts as drained: longer than the emulator's 100-ms idle push poll. */
const DRAINED_QUIET_MS = 300;

export async function runPipelineBenchmark(
  wired: PipelineAreas = 'risk',
  cadence: PipelineCadence = 'back-to-back',
): Promise<BenchResult[]> {
  const prefix =
    (wired === 'all' ? 'pipeline.all_areas' : 'pipeline') + (cadence === 'drained' ? '.drained' : '');
  const emulators = await startEmulators();
  const start = Date.parse('2024-06-01T00:00:00Z');
  const clock = new ManualClock(new Date(start));
  const minuteOf = (at: Date) => Math.floor((at.getTime() - start) / 60_000);
  const price = (asset: string, at: Date) => (asset === 'BTC' ? (minuteOf(at) % 2 === 0 ? HIGH : LOW) : 1);
  const stack = await startLocalStack({
    projectId: `bench-${process.pid}`,
    pubsubHost: emulators.pubsubHost,
    firestoreHost: emulators.firestoreHost,
    clock,
    prices: price,
    env: { PRICE_ASSETS: 'BTC,USDC', RISK_SHARD_COUNT: '4' },
    // The risk path alone (price → risk → margin event → alert), or with every area's functions wired too.
    ...(wired === 'risk' ? { areas: [] } : {}),
  });
  try {
    await seedBenchCloses(stack.store, start);
    for (let i = 0; i < PORTFOLIOS; i++) {
      await stack.bus.publish('portfolio.positions.v1', {
        portfolioId: `bench-${i}`,
        updatedAt: new Date(start - 3_600_000).toISOString(),
        positions: [
          { asset: 'BTC', amount: 1 + i / 100, side: 'collateral' },
          { asset: 'USDC', amount: 10_000 * (1 + i / 100), side: 'borrow' },
        ],
      });
    }
    await stack.settle(500);

    const tickAt = new Map<string, number>();
    const measured = new Set<string>();
    const latencies: number[] = [];
    /** Per measured tick, when each stage first (and the risk batches last) published, from the tick. */
    const stages = new Map<string, Record<string, number>>();
    let alerts = 0;
    /** Per measured tick drained: from its publish to the last delivery or publish any area made for it. */
    const drains: number[] = [];
    stack.meter.publishListeners.push((topic, message) => {
      const now = performance.now();
      const tickId = (message as { tickId: string }).tickId;
      if (topic === 'market.prices.v1') tickAt.set(tickId, now);
      const t0 = tickAt.get(tickId);
      if (t0 !== undefined && measured.has(tickId)) {
        const s = stages.get(tickId) ?? {};
        stages.set(tickId, s);
        s[topic] ??= now - t0;
        if (topic === 'risk.portfolio-risk.v1') s['risk.portfolio-risk.v1 (last)'] = now - t0;
      }
      if (topic === 'alerts.margin.v1' && tickAt.has(tickId)) {
        alerts++;
        if (measured.has(tickId)) latencies.push(now - (tickAt.get(tickId) as number));
      }
    });
    for (let t = 0; t < TICKS; t++) {
      const at = new Date(start + t * 60_000);
      clock.set(at);
      if (t >= WARMUP_TICKS) measured.add(tickIdOf(at));
      const expected = alerts + (t === 0 ? 0 : PORTFOLIOS);
      await stack.tick();
      const deadline = Date.now() + 30_000;
      while (alerts < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      if (cadence === 'drained') {
        await stack.settle(DRAINED_QUIET_MS, 30_000);
        const t0 = tickAt.get(tickIdOf(at));
        if (t0 !== undefined && measured.has(tickIdOf(at))) drains.push(stack.meter.lastActivityAt - t0);
      }
    }
    await stack.settle(500);
    if (process.env.BENCH_VERBOSE) process.stderr.write(stack.meter.summary() + '\n');
    latencies.sort((a, b) => a - b);
    drains.sort((a, b) => a - b);
    const stageNames = [
      'risk.shard-work.v1',
      'risk.portfolio-risk.v1',
      'risk.portfolio-risk.v1 (last)',
      'alerts.margin.v1',
    ];
    const stageFigures = stageNames.map((name) => {
      const values = [...stages.values()].map((s) => s[name]).filter((v) => v !== undefined);
      return {
        name: `${prefix}.stage.${name.replace(/ \(last\)/, '.last')}.p50_ms`,
        value: round(
          percentile(
            values.sort((a, b) => a - b),
            0.5,
          ),
        ),
        unit: 'ms after the tick was published (first message of that stage)',
      };
    });
    return [
      ...stageFigures,
      { name: `${prefix}.price_to_alert.p99_ms`, value: round(percentile(latencies, 0.99)), unit: 'ms' },
      { name: `${prefix}.price_to_alert.p50_ms`, value: round(percentile(latencies, 0.5)), unit: 'ms' },
      { name: `${prefix}.price_to_alert.samples`, value: latencies.length, unit: 'alerts' },
      ...(cadence === 'drained'
        ? [
            {
              name: `${prefix}.tick_drained.p50_ms`,
              value: round(percentile(drains, 0.5)),
              unit: `ms from a tick to the last work any area did for it (max ${round(drains[drains.length - 1] ?? NaN)}; ticks are 60 000 ms apart)`,
            },
          ]
        : []),
    ];
  } finally {
    await stack.stop();
    await emulators.stop();
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

if (require.main === module) {
  // PIPELINE_AREAS=all: every area wired (default: the risk path alone).
  // PIPELINE_CADENCE=drained: each tick once the previous one has drained (default: back to back).
  void runPipelineBenchmark(
    process.env.PIPELINE_AREAS === 'all' ? 'all' : 'risk',
    process.env.PIPELINE_CADENCE === 'drained' ? 'drained' : 'back-to-back',
  ).then((rows) => {
    for (const r of rows) console.log(`${r.name}: ${r.value} ${r.unit}`);
  });
}
