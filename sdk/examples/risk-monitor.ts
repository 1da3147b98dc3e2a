/* eslint-disable no-console -- a terminal program */
/**
 * Prints a desk's portfolios by health, then streams its alerts. The cursor is saved to a file after every
 * alert and heartbeat, so a restart resumes where it stopped: nothing missed, nothing printed twice.
 *
 *   RISK_API_URL=http://localhost:8080/riskApi RISK_API_TOKEN=local:analyst@example.com \
 *     npx tsx sdk/examples/risk-monitor.ts desk-1 [cursor-file]
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { CursorExpiredError, RiskClient, type FeedAlert, type Subscription } from '../src/index.js';

const baseUrl = process.env.RISK_API_URL;
const token = process.env.RISK_API_TOKEN;
const deskId = process.argv[2];
const cursorFile = process.argv[3] ?? `.risk-monitor-${deskId}.cursor`;

if (!baseUrl || !token || !deskId) {
  console.error('usage: RISK_API_URL=... RISK_API_TOKEN=... risk-monitor <deskId> [cursor-file]');
  process.exit(2);
}

const client = new RiskClient({ baseUrl, token });
const stateOrder = ['LIQUIDATION', 'MARGIN_CALL', 'WARNING', 'HEALTHY'];

function readCursor(): string | undefined {
  try {
    return readFileSync(cursorFile, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function saveCursor(cursor: string | undefined): void {
  if (!cursor) return;
  // Write then rename, so a crash mid-write never leaves a torn cursor behind.
  writeFileSync(`${cursorFile}.tmp`, cursor);
  renameSync(`${cursorFile}.tmp`, cursorFile);
}

async function printDesk(): Promise<void> {
  const desk = await client.getDeskOverview(deskId);
  console.log(`\nDesk ${desk.deskId} as of ${desk.asOf ?? 'n/a'} (shock ${desk.shock.fraction * 100} %)`);
  console.log(`  counts: ${JSON.stringify(desk.counts)}`);
  console.log(`  collateral at risk: ${JSON.stringify(desk.collateralAtRisk)}`);
  const portfolios = [...desk.portfolios].sort(
    (a, b) =>
      stateOrder.indexOf(a.state) - stateOrder.indexOf(b.state) ||
      (a.healthScore ?? Infinity) - (b.healthScore ?? Infinity),
  );
  for (const p of portfolios) {
    const score = p.healthScore === null ? 'no debt' : p.healthScore.toFixed(1);
    console.log(`  ${p.state.padEnd(12)} ${p.portfolioId.padEnd(24)} health ${score} ${p.atRisk ?? ''}`);
  }
}

function describe(alert: FeedAlert): string {
  switch (alert.source) {
    case 'alerts.margin.v1':
      return `${alert.alert.portfolioId}: ${alert.alert.fromState} -> ${alert.alert.toState}`;
    case 'alerts.aml.v1':
      return `AML ${alert.alert.ruleType}: ${alert.alert.summary}`;
    default:
      return alert.subject;
  }
}

function follow(cursor: string | undefined): Subscription {
  const subscription: Subscription = client.subscribeToAlerts({
    deskId,
    cursor,
    onAlert: (alert) => {
      console.log(`${alert.recordedAt} ${alert.severity.padEnd(8)} ${describe(alert)}`);
      saveCursor(subscription.cursor);
    },
    onPortfolio: (p) => console.log(`  portfolio ${p.portfolioId} is now ${p.state}`),
    onStateChange: (state, previous) => {
      console.log(`[stream ${previous} -> ${state}]`);
      saveCursor(subscription.cursor); // heartbeats move the cursor past alerts this desk does not see
      // Portfolio hints have no cursor: after a gap, the desk itself is the truth.
      if (state === 'live' && previous === 'resyncing') printDesk().catch((e) => console.error(String(e)));
    },
    onError: (error, willRetry) => {
      if (error instanceof CursorExpiredError) {
        console.error(
          'The saved cursor is older than the alert retention: starting again from the oldest kept.',
        );
        rmSync(cursorFile, { force: true });
        current = follow(undefined);
        return;
      }
      console.error(`${willRetry ? 'will retry' : 'stopped'}: ${String(error)}`);
      if (!willRetry) process.exitCode = 1;
    },
  });
  return subscription;
}

let current: Subscription;

async function main(): Promise<void> {
  await printDesk();
  const cursor = readCursor();
  console.log(cursor ? `\nResuming after ${cursor}` : '\nStreaming from the oldest alert kept');
  current = follow(cursor);
  process.once('SIGINT', () => {
    saveCursor(current.cursor);
    current.close();
  });
}

main().catch((error: unknown) => {
  console.error(String(error));
  process.exitCode = 1;
});
