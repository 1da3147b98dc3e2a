/** `npm run bench`: every benchmark, each figure printed as `name: value unit`. */
import { AREA_BENCHMARKS } from './areas';
import { runPipelineBenchmark } from './pipeline';
import { runPortfoliosPerTickBenchmark } from './portfolios-per-tick';
import { runPushFloor } from './push-floor';
import { runVarBenchmarks } from './var';

async function main(): Promise<void> {
  for (const r of runVarBenchmarks()) console.log(`${r.name}: ${r.value} ${r.unit}`);
  for (const r of await runPipelineBenchmark('risk')) console.log(`${r.name}: ${r.value} ${r.unit}`);
  for (const r of await runPipelineBenchmark('all')) console.log(`${r.name}: ${r.value} ${r.unit}`);
  // Every area at the Scheduler's cadence: each tick once the last has drained (tick N's notifications never
  // overlap tick N+1 in production, where ticks are 60 s apart).
  for (const r of await runPipelineBenchmark('all', 'drained'))
    console.log(`${r.name}: ${r.value} ${r.unit}`);
  // The floor under the pipeline's latency: the emulator's push hops alone, same shape, same run.
  for (const r of await runPushFloor()) console.log(`${r.name}: ${r.value} ${r.unit}`);
  for (const r of await runPortfoliosPerTickBenchmark()) console.log(`${r.name}: ${r.value} ${r.unit}`);
  for (const b of AREA_BENCHMARKS)
    for (const r of await b.run()) console.log(`${r.name}: ${r.value} ${r.unit}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
