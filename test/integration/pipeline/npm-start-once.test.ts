/**
 * `npm start -- --once` as a user runs it: its own emulators, the bundled Black Thursday replay, a summary of
 * what flowed where, exit code 0 — and margin calls and liquidations reach risk.margin_events and
 * alerts.margin.v1; the compliance, risk controls, notification and operations parts show what they caught,
 * stopped, delivered and archived.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

describe('npm start -- --once', () => {
  it('plays the scenario through the whole topology and exits 0 with the flow summary', () => {
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'local-stack/main.ts', '--once'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, PUBSUB_EMULATOR_HOST: '', FIRESTORE_EMULATOR_HOST: '' },
    });
    // On failure, what the run said last (which part did not see what it expected, or the error).
    expect({
      status: run.status,
      tail: run.status === 0 ? '' : `${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}`,
    }).toEqual({
      status: 0,
      tail: '',
    });
    const out = run.stdout;
    // A fresh deployment's first step: the backfill fills the 400 days before the replay from the local sources.
    expect(out).toMatch(
      /history backfill 2019-01-30 \.\. 2020-03-04: BTC 400, ETH 400, USDC 400, LINK 400, USDT 400 closes/,
    );
    // published → pushed → handled → stored, with counts
    expect(out).toMatch(/market\.prices\.v1\s+16\n/);
    expect(out).toMatch(/market\.prices\.v1 → computePortfolioRisk\s+handled 16, rejected 0, failed 0/);
    expect(out).toMatch(/risk\.shard-work\.v1 → computePortfolioRisk\s+handled 64, rejected 0, failed 0/);
    expect(out).toMatch(/risk\.portfolio-risk\.v1 → detectMarginEvents\s+handled \d+, rejected 0, failed 0/);
    // 16 ticks × 5 assets, plus the 56 January 2020 rows the operations part backfills and then archives.
    expect(out).toMatch(/market\.prices\s+136\n/);
    const events = /risk\.margin_events: (\d+), alerts\.margin\.v1 received: (\d+)/.exec(out);
    expect(events).not.toBeNull();
    expect(Number(events?.[1])).toBeGreaterThan(0);
    expect(events?.[2]).toBe(events?.[1]);
    // Black Thursday: the levered desks are liquidated, the multi-asset desk goes through a margin call.
    expect(out).toMatch(/2020-03-12\s+desk-btc-levered\s+WARNING\s+→ LIQUIDATION/);
    expect(out).toMatch(/2020-03-12\s+desk-eth-levered\s+WARNING\s+→ LIQUIDATION/);
    expect(out).toMatch(/desk-multi-asset\s+WARNING\s+→ MARGIN_CALL/);
    expect(out).toMatch(/dead letters: 0/);
    // KYC: the forged and the replayed Persona deliveries are refused, nothing personal is stored in clear.
    expect(out).toMatch(/forged delivery → 401 .*replayed delivery → 401/);
    expect(out).toMatch(/plaintext personal data in stored cases: 0/);
    // AML: structuring, a sanctioned name and a velocity burst are caught; an ordinary customer is not.
    expect(out).toMatch(/structuring\s+\S+: structuring\.24h/);
    expect(out).toMatch(/sanctions\s+\S+: sanctions\.ofac-sdn → BLOCK/);
    expect(out).toMatch(/velocity\s+\S+: [1-9]\d* alert\(s\) \(velocity\.count\.1h\)/);
    expect(out).toMatch(/ordinary\s+\S+: 0 alert\(s\)/);
    // Risk controls: the levered desk's tighter policy, its violations alerted, its breaker halting the desk on
    // the first leg down, checkRisk obeying HALTED then REDUCING, and two admins for each release.
    expect(out).toMatch(/risk\.portfolio-risk\.v1 → evaluateRiskLimits\s+handled \d+, rejected 0, failed 0/);
    expect(out).toMatch(
      /policy stored through riskAdmin: \S+ v1 on desk:levered-lending by risk-admin@\S+ → 200/,
    );
    const violations =
      /(\d+) violations alerted \(risk\.risk_violations: (\d+), alerts\.risk\.v1 RISK_LIMIT_\*: (\d+)\): soft (\d+) started \/ \d+ cleared, hard (\d+) started/.exec(
        out,
      );
    expect(violations).not.toBeNull();
    expect(violations?.[3]).toBe(violations?.[2]);
    expect(Number(violations?.[4])).toBeGreaterThan(0);
    expect(Number(violations?.[5])).toBeGreaterThanOrEqual(3);
    expect(out).toMatch(
      /breaker tripped at 2020-03-08T\S+ on desk:levered-lending: ACTIVE → HALTED \(trigger breaker.*other scopes stopped: none/,
    );
    expect(out).toMatch(/checkRisk while HALTED on \S+: borrow [^;]+→ DENY STOPPED \(stop HALTED\)/);
    expect(out).toMatch(
      /release to REDUCING: requested by (\S+) → 200; self-approval → 409 SAME_PERSON; approved by (?!\1)\S+ → 200 REDUCING/,
    );
    expect(out).toMatch(
      /checkRisk in REDUCING: repay [^;]+→ APPROVE \(stop REDUCING\); borrow [^;]+→ DENY STOPPED \(stop REDUCING\)/,
    );
    expect(out).toMatch(/repay carried by the next position update: \S+ back within limits/);
    expect(out).toMatch(
      /two-person re-enable of desk:levered-lending: requested by (\S+) → 200, then approved by (?!\1)\S+ → 200 ACTIVE/,
    );
    expect(out).toMatch(/checkRisk after re-enable: borrow [^;]+→ APPROVE \(stop ACTIVE\)/);
    expect(out).toMatch(/risk desk told: [1-9]\d* e-mail\(s\)/);
    // Notifications: duplicates cost no provider call; a wrong number is recorded without blocking others.
    expect(out).toMatch(/Pub\/Sub duplicates\): 0 new provider call/);
    expect(out).toMatch(/notifications\.deliveries email\s+(\d+)\/\1 delivered/);
    expect(out).toMatch(/permanent failures recorded and acknowledged: .*nobody else held up/);
    // Operations: the 24-hour view has rows, the archive has Parquet files, and a rerun archives nothing.
    expect(out).toMatch(/recent_portfolio_exposures_24h as of \S+: [1-9]\d* row\(s\)/);
    expect(out).toMatch(/[1-9]\d* Parquet file\(s\) in /);
    expect(out).toMatch(/archiveColdData again → 200: 0 partition\(s\) to archive/);
  });
});
