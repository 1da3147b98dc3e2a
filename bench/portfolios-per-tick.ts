/**
 * pipeline.portfolios_per_tick.seconds: one price tick valuing and margin-checking 10,000 portfolios end to end,
 * through the real emulators, push subscriptions, the functions framework and the embedded warehouse: from the
 * moment ingestPrices publishes market.prices.v1 to the moment detectMarginEvents has handled the last risk batch
 * of that tick. It must stay well inside the Scheduler's 60-second interval. The portfolios are written straight
 * into Firestore (as applyPositions stores them), since 10,000 position messages through the emulator's two
 * pushes in flight would take minutes and measure nothing of the tick.
 */
import { startEmulators } from '../local-stack/emulators';
import { startLocalStack } from '../local-stack/stack';
import { ManualClock } from '../shared/platform/clocks';
import { bucketOf } from '../shared/domain/ids';
import { COLLECTIONS, type PortfolioDoc } from '../shared/use-cases/compute-portfolio-risk';
import type { BenchResult } from './var';
import { seedBenchCloses } from './seed-closes';

const PORTFOLIOS = Number(process.env.BENCH_PORTFOLIOS ?? 10_000);
const SHARDS = 16; // the production shard count (terraform/environments/prod)
const DETECT = 'risk.portfolio-risk.v1 → detectMarginEvents';

export async function runPortfoliosPerTickBenchmark(): Promise<BenchResult[]> {
  const emulators = await startEmulators();
  const start = Date.parse('2024-06-01T00:00:00Z');
  const clock = new ManualClock(new Date(start));
  // BTC alternates between two levels so that a share of the portfolios changes margin state every tick.
  const price = (asset: string, at: Date) =>
    asset === 'BTC' ? (Math.floor((at.getTime() - start) / 60_000) % 2 === 0 ? 20_000 : 11_500) : 1;
  const stack = await startLocalStack({
    projectId: `bench-tick-${process.pid}`,
    pubsubHost: emulators.pubsubHost,
    firestoreHost: emulators.firestoreHost,
    clock,
    prices: price,
    env: { PRICE_ASSETS: 'BTC,USDC', RISK_SHARD_COUNT: String(SHARDS) },
    areas: [], // the risk path: price → valuation and VaR → margin detection → alerts
  });
  try {
    await seedBenchCloses(stack.store, start);
    const seeded = performance.now();
    const updatedAt = new Date(start - 3_600_000).toISOString();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        for (let i = next++; i < PORTFOLIOS; i = next++) {
          const portfolioId = `tick-${i}`;
          const doc: PortfolioDoc = {
            portfolioId,
            bucket: bucketOf(portfolioId),
            deskId: 'default',
            updatedAt,
            positions: [
              { asset: 'BTC', amount: 1 + (i % 100) / 100, side: 'collateral' },
              { asset: 'USDC', amount: 10_000 * (1 + (i % 100) / 100), side: 'borrow' },
            ],
          };
          await stack.store.set(COLLECTIONS.portfolios, portfolioId, doc);
        }
      }),
    );
    const seedSeconds = (performance.now() - seeded) / 1000;

    /** Per tick: when it was published, portfolios in its risk batches, and those batches. */
    const ticks = new Map<string, { t0: number; portfolios: number; batches: number; lastBatch: number }>();
    stack.meter.publishListeners.push((topic, message) => {
      const tickId = (message as { tickId?: string }).tickId;
      if (!tickId) return;
      if (topic === 'market.prices.v1')
        ticks.set(tickId, { t0: performance.now(), portfolios: 0, batches: 0, lastBatch: 0 });
      const t = ticks.get(tickId);
      if (t && topic === 'risk.portfolio-risk.v1') {
        t.portfolios += (message as { portfolios: unknown[] }).portfolios.length;
        t.batches++;
        t.lastBatch = performance.now() - t.t0;
      }
    });
    const handledByDetect = () => {
      const d = stack.meter.deliveries.get(DETECT);
      return d ? d.handled + d.rejected : 0;
    };

    const results: { seconds: number; valuedSeconds: number; batches: number; portfolios: number }[] = [];
    for (let tick = 0; tick < 2; tick++) {
      clock.set(new Date(start + tick * 60_000));
      const before = handledByDetect();
      const known = new Set(ticks.keys());
      await stack.tick();
      const tickId = [...ticks.keys()].find((k) => !known.has(k));
      const t = tickId ? ticks.get(tickId) : undefined;
      if (!t) throw new Error('the tick published no market.prices.v1');
      const deadline = Date.now() + 300_000;
      while ((t.portfolios < PORTFOLIOS || handledByDetect() - before < t.batches) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      if (t.portfolios < PORTFOLIOS || handledByDetect() - before < t.batches)
        throw new Error(
          `tick incomplete after 300 s: ${t.portfolios}/${PORTFOLIOS} valued, ${handledByDetect() - before}/${t.batches} batches checked`,
        );
      results.push({
        seconds: (performance.now() - t.t0) / 1000,
        valuedSeconds: t.lastBatch / 1000,
        batches: t.batches,
        portfolios: t.portfolios,
      });
      await stack.settle(500);
    }
    if (process.env.BENCH_VERBOSE) process.stderr.write(stack.meter.summary() + '\n');
    const [cold, warm] = results as [(typeof results)[0], (typeof results)[0]];
    return [
      {
        name: 'pipeline.portfolios_per_tick.seconds',
        value: round(warm.seconds),
        unit: `s for ${warm.portfolios} portfolios valued and margin-checked in one tick (${SHARDS} shards, ${warm.batches} risk batches; goal: inside the 60 s tick)`,
      },
      {
        name: 'pipeline.portfolios_per_tick.valued_seconds',
        value: round(warm.valuedSeconds),
        unit: 's until the last risk batch of the tick was published',
      },
      {
        name: 'pipeline.portfolios_per_tick.first_tick_seconds',
        value: round(cold.seconds),
        unit: 's for the first tick (cold: JIT, emulator, no margin state yet)',
      },
      {
        name: 'pipeline.portfolios_per_tick.seed_seconds',
        value: round(seedSeconds),
        unit: 's to write the portfolios',
      },
    ];
  } finally {
    await stack.stop();
    await emulators.stop();
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

if (require.main === module) {
  void runPortfoliosPerTickBenchmark().then((rows) => {
    for (const r of rows) console.log(`${r.name}: ${r.value} ${r.unit}`);
  });
}
