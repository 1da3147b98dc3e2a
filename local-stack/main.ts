/**
 * `npm start`: the local stack on the ports in firebase.json, then the bundled scenario.
 * `npm start -- --once` plays the scenario as fast as it flows, prints what went where, and exits 0.
 * Without --once the stack keeps running (a day of the replay every few seconds, then a Scheduler tick
 * every minute) until Ctrl-C; the emulators are always stopped on the way out.
 */
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { firebasePorts, freePort, startEmulators, type Emulators } from './emulators';
import { startLocalStack, type LocalStack } from './stack';
import { ManualClock } from '../shared/platform/clocks';
import { interpolatedPrices, loadDailyClosesCsv } from './providers/historical-prices';
import { formatReport, playScenario, SCENARIO, scenarioChainlinkHistory, scenarioSettings } from './scenario';
import { SCENARIO_PARTS } from './scenarios';
import { buildDashboard } from './dashboard-build';
import { startDashboardServer, type DashboardServer } from './dashboard-server';

const CLOSES = join(__dirname, '..', 'test', 'fixtures', 'daily-closes-usd.csv');

async function main(): Promise<number> {
  const once = process.argv.includes('--once');
  const ports = firebasePorts();
  // Filled in as things start, so Ctrl-C at any moment stops exactly what is running.
  const running: { emulators?: Emulators; stack?: LocalStack; dashboard?: DashboardServer } = {};
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await running.dashboard?.close().catch(() => undefined);
    await running.stack?.stop().catch(() => undefined);
    await running.emulators?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(130));
  process.on('SIGTERM', () => void shutdown(143));

  console.log(`starting Pub/Sub (${ports.pubsub}) and Firestore (${ports.firestore}) emulators...`);
  // --once uses free ports so it can run beside a long-running `npm start`.
  const emulators = await startEmulators(
    once ? undefined : { pubsub: ports.pubsub, firestore: ports.firestore },
  );
  running.emulators = emulators;
  const closes = loadDailyClosesCsv(CLOSES);
  const clock = new ManualClock(`${SCENARIO.firstDay}T00:00:00Z`);
  const projectId = once ? `fusion-once-${randomUUID().slice(0, 6)}` : 'fusion-local';
  // The dashboard's origin is known before the stack starts, so riskApi answers its CORS preflights.
  const dashboardPort = once ? await freePort() : ports.dashboard;
  const dashboardOrigin = `http://127.0.0.1:${dashboardPort}`;
  const stack = await startLocalStack({
    projectId,
    pubsubHost: emulators.pubsubHost,
    firestoreHost: emulators.firestoreHost,
    clock,
    prices: interpolatedPrices(closes),
    env: { ...scenarioSettings(), RISK_API_ALLOWED_ORIGINS: dashboardOrigin },
    chainlinkHistory: scenarioChainlinkHistory(),
    functionPortBase: once ? 0 : ports.functions,
  });
  running.stack = stack;
  console.log(`project ${projectId}; functions:`);
  for (const [name, url] of Object.entries(stack.functionUrls)) console.log(`  ${name.padEnd(22)} ${url}`);
  const dashboard = await startDashboardServer({
    distDir: await buildDashboard(join(__dirname, '..', '.local', `dashboard-${projectId}`)),
    port: dashboardPort,
    config: {
      apiBaseUrl: stack.functionUrls.riskApi ?? '',
      auth: 'local',
      // Opens signed in as the scenario's risk manager (sign out to try another identity).
      localIdentity: stack.areas.views.riskManager,
      deskId: 'default',
      // The replay is dated 2020: by the wall clock every figure is years old, which says nothing here.
      staleAfterSeconds: 10 * 365 * 86_400,
    },
  });
  running.dashboard = dashboard;
  console.log(
    `  ${'dashboard'.padEnd(22)} ${dashboard.url}/#/desk/default  (signed in as ${stack.areas.views.riskManager})`,
  );
  console.log(
    `PUBSUB_EMULATOR_HOST=${emulators.pubsubHost} FIRESTORE_EMULATOR_HOST=${emulators.firestoreHost}\n`,
  );

  for (const part of SCENARIO_PARTS) await part.prepare?.(stack, clock);
  const report = await playScenario(stack, clock, {
    dayDelayMs: once ? 0 : 2000,
    onDay: (line) => console.log(line),
  });
  for (const part of SCENARIO_PARTS) {
    if (!part.play) continue;
    console.log(`playing: ${part.name}`);
    await part.play(stack, clock);
  }
  await stack.settle(1000);
  const partReports = [];
  for (const part of SCENARIO_PARTS) partReports.push({ name: part.name, ...(await part.report(stack)) });
  console.log('\n' + formatReport(report, stack.meter.summary()));
  for (const r of partReports) if (r.lines.length) console.log(`\n${r.name}:\n${r.lines.join('\n')}`);
  const failedTicks = report.ticks.filter((t) => t.status !== 200);
  const partsFailed = partReports.filter((r) => !r.ok).map((r) => r.name);
  if (partsFailed.length)
    console.log(`\nscenario parts that did not see what they expected: ${partsFailed.join(', ')}`);
  if (once) {
    await shutdown(
      failedTicks.length || report.alertsReceived < report.marginEvents.length || partsFailed.length ? 1 : 0,
    );
    return 0;
  }
  console.log('\nstack is up; Cloud Scheduler tick every 60 s. Ctrl-C to stop.');
  setInterval(() => {
    clock.advance(60_000);
    void stack.tick().then((r) => console.log(`${clock.now().toISOString()} tick → ${r.status}`));
  }, 60_000);
  return new Promise<number>(() => undefined);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
