/**
 * `npm start -- --once` as a user runs it: its own emulators, the bundled Black Thursday replay, a summary of
 * what flowed where, exit code 0 — and margin calls and liquidations reach risk.margin_events and
 * alerts.margin.v1.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

describe('npm start -- --once', () => {
  it('plays the scenario through the whole topology and exits 0 with the flow summary', () => {
    const run = spawnSync(
      process.execPath,
      ['--require', 'tsx/cjs', 'shared/local-stack/main.ts', '--once'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 240_000,
        env: { ...process.env, PUBSUB_EMULATOR_HOST: '', FIRESTORE_EMULATOR_HOST: '' },
      },
    );
    expect(run.status).toBe(0);
    const out = run.stdout;
    // published → pushed → handled → stored, with counts
    expect(out).toMatch(/market\.prices\.v1\s+16\n/);
    expect(out).toMatch(/market\.prices\.v1 → computePortfolioRisk\s+handled 16, rejected 0, failed 0/);
    expect(out).toMatch(/risk\.shard-work\.v1 → computePortfolioRisk\s+handled 64, rejected 0, failed 0/);
    expect(out).toMatch(/risk\.portfolio-risk\.v1 → detectMarginEvents\s+handled \d+, rejected 0, failed 0/);
    expect(out).toMatch(/market\.prices\s+80\n/);
    const events = /risk\.margin_events: (\d+), alerts\.margin\.v1 received: (\d+)/.exec(out);
    expect(events).not.toBeNull();
    expect(Number(events?.[1])).toBeGreaterThan(0);
    expect(events?.[2]).toBe(events?.[1]);
    // Black Thursday: the levered desks are liquidated, the multi-asset desk goes through a margin call.
    expect(out).toMatch(/2020-03-12\s+desk-btc-levered\s+WARNING\s+→ LIQUIDATION/);
    expect(out).toMatch(/2020-03-12\s+desk-eth-levered\s+WARNING\s+→ LIQUIDATION/);
    expect(out).toMatch(/desk-multi-asset\s+WARNING\s+→ MARGIN_CALL/);
    expect(out).toMatch(/dead letters: 0/);
  });
});
