/**
 * risk.check.*: checkRisk through HTTP against the warm function on the local stack (Functions Framework,
 * Firestore emulator), open loop at RATE requests per second with distinct request ids, over multi-asset
 * portfolios (four collateral assets, a USDC loan) under a policy with a hard VaR rule, so every check revalues
 * the portfolio, runs historical-simulation VaR before and after the action and commits one transaction.
 * p99 / p99.9 are of the answer time as the caller sees it; per_s is the completed rate; evaluate_us_median is
 * the pure decision (decidePreTrade with the VaR engine) in process, without HTTP or Firestore.
 */
import { startEmulators } from '../local-stack/emulators';
import { startLocalStack } from '../local-stack/stack';
import { FIRESTORE_COLLECTIONS } from '../shared/contracts/firestore';
import { DEFAULT_RISK_POLICY } from '../shared/domain/controls/default-policy';
import type { RiskPolicy } from '../shared/domain/controls/policy';
import { decidePreTrade, type PreTradeRequest } from '../shared/domain/controls/pre-trade';
import { DEFAULT_RISK_PARAMS, RiskEngine } from '../shared/domain/risk/engine';
import type { Position } from '../shared/domain/risk/margin';
import { StructuredLogger } from '../shared/platform/logger';
import type { BenchFigure } from './areas';
import { percentile } from './percentile';

// Overridable for a quick smoke run (BENCH_CHECK_RATE=20 BENCH_CHECK_SECONDS=2).
const RATE = Number(process.env.BENCH_CHECK_RATE ?? 250);
const SECONDS = Number(process.env.BENCH_CHECK_SECONDS ?? 10);
const PORTFOLIOS = 200;
const WARMUP = 100;
const DAYS = 400;
const PRICES: Record<string, number> = { BTC: 60_000, ETH: 3000, SOL: 150, LINK: 15, USDC: 1 };
const COLLATERAL = ['BTC', 'ETH', 'SOL', 'LINK'];

const POLICY: RiskPolicy = {
  ...DEFAULT_RISK_POLICY,
  policyId: 'bench-var',
  rules: [
    ...DEFAULT_RISK_POLICY.rules,
    {
      ruleId: 'var-share',
      metric: 'varShareOfEquity',
      confidence: 0.99,
      horizonDays: 1,
      operator: '>',
      threshold: 0.5,
      kind: 'hard',
      stages: ['pre-trade'],
    },
  ],
};

const round = (x: number) => Math.round(x * 100) / 100;

/** A deterministic random walk per asset (USDC flat): enough history for a 365-day VaR. */
function closes(until: Date): Record<string, { date: string; close: number }[]> {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5;
  const out: Record<string, { date: string; close: number }[]> = {};
  for (const [asset, last] of Object.entries(PRICES)) {
    const series: { date: string; close: number }[] = [];
    let p = last;
    for (let i = 1; i <= DAYS; i++) {
      const date = new Date(until.getTime() - i * 86_400_000).toISOString().slice(0, 10);
      series.unshift({ date, close: p });
      if (asset !== 'USDC') p = p * (1 + rnd() * 0.08);
    }
    out[asset] = series;
  }
  return out;
}

function positions(i: number): Position[] {
  return [
    ...COLLATERAL.map((asset, k) => ({
      asset,
      side: 'collateral' as const,
      amount: (20_000 * (1 + ((i + k) % 5))) / PRICES[asset],
    })),
    { asset: 'USDC', side: 'borrow' as const, amount: 30_000 },
  ];
}

export async function runCheckRiskBenchmarks(): Promise<BenchFigure[]> {
  const emulators = await startEmulators();
  const now = new Date();
  const stack = await startLocalStack({
    projectId: `bench-check-${process.pid}`,
    pubsubHost: emulators.pubsubHost,
    firestoreHost: emulators.firestoreHost,
    clock: { now: () => new Date() },
    prices: () => 1, // no price tick runs in this benchmark
    areas: [],
    logger: new StructuredLogger({ minSeverity: 'ERROR' }),
  });
  try {
    const asOf = now.toISOString();
    const R = FIRESTORE_COLLECTIONS.risk;
    await stack.store.set(R.market, 'latest', {
      asOf,
      tickId: asOf,
      prices: Object.fromEntries(
        Object.entries(PRICES).map(([a, priceUsd]) => [a, { priceUsd, asOf, tickId: asOf }]),
      ),
    });
    const history = closes(now);
    for (const [asset, c] of Object.entries(history))
      await stack.store.set(R.dailyCloses, asset, { asset, closes: c, updatedAt: asOf });
    await stack.store.set(FIRESTORE_COLLECTIONS.controls.policies, POLICY.policyId, {
      policy: POLICY,
      updatedBy: 'bench',
      updatedAt: asOf,
    });
    for (let i = 0; i < PORTFOLIOS; i++)
      await stack.store.set(R.portfolios, `bench-${i}`, {
        portfolioId: `bench-${i}`,
        bucket: 0,
        deskId: 'default',
        updatedAt: asOf,
        positions: positions(i),
      });

    const url = stack.functionUrls.checkRisk ?? '';
    let seq = 0;
    const check = async () => {
      const i = seq++;
      const body: PreTradeRequest = {
        requestId: `bench-${process.pid}-${i}`,
        portfolioId: `bench-${i % PORTFOLIOS}`,
        action: 'borrow',
        asset: 'USDC',
        amount: 10,
      };
      const started = performance.now();
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: 'Bearer local:bench@lending' },
          body: JSON.stringify(body),
        });
        const answer = (await res.json()) as { decision?: string };
        return { ms: performance.now() - started, status: res.status, decision: answer.decision };
      } catch {
        // An overloaded server resets connections: counted as failed, not as an answer.
        return { ms: performance.now() - started, status: 0, decision: undefined };
      }
    };
    for (let i = 0; i < WARMUP; i++) await check();

    // Open loop: requests are sent on schedule whether or not earlier ones have answered.
    const total = RATE * SECONDS;
    const t0 = performance.now();
    const pending: Promise<{ ms: number; status: number; decision?: string }>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(check());
    }
    const results = await Promise.all(pending);
    const elapsed = (performance.now() - t0) / 1000;
    const answered = results.filter((r) => r.status === 200);
    // Every check fits the limits: a denial here means the check failed closed (e.g. state gone stale under load).
    const denied = answered.filter((r) => r.decision !== 'APPROVE').length;
    const ms = answered.map((r) => r.ms).sort((a, b) => a - b);

    // The decision alone, in process: the same portfolios, policy and VaR engine.
    const engine = new RiskEngine(
      {
        dates: history.BTC.map((c) => c.date),
        series: Object.fromEntries(Object.entries(history).map(([a, c]) => [a, c.map((x) => x.close)])),
      },
      DEFAULT_RISK_PARAMS,
      history.BTC.at(-1)!.date,
    );
    const prices = new Map(Object.entries(PRICES).map(([a, priceUsd]) => [a, { priceUsd, asOf }]));
    const us: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = performance.now();
      const d = decidePreTrade(
        {
          requestId: `e-${i}`,
          portfolioId: `bench-${i % PORTFOLIOS}`,
          action: 'borrow',
          asset: 'USDC',
          amount: 10,
        },
        {
          now: new Date(asOf),
          portfolio: {
            portfolioId: `bench-${i % PORTFOLIOS}`,
            deskId: 'default',
            positions: positions(i % PORTFOLIOS),
          },
          reserved: [],
          prices,
          policies: [POLICY],
          stops: new Map(),
          stopsConfirmedAt: new Date(asOf),
          stopsMaxStalenessMs: 1000,
          tail: (ex) => engine.evaluate(ex),
        },
      );
      us.push((performance.now() - t) * 1000);
      if (d.decision !== 'APPROVE')
        throw new Error(`in-process decision denied: ${JSON.stringify(d.reasons)}`);
    }
    us.sort((a, b) => a - b);
    return [
      { name: 'risk.check.p99_ms', value: round(percentile(ms, 0.99)), unit: 'ms' },
      { name: 'risk.check.p999_ms', value: round(percentile(ms, 0.999)), unit: 'ms' },
      { name: 'risk.check.p50_ms', value: round(percentile(ms, 0.5)), unit: 'ms' },
      { name: 'risk.check.per_s', value: round(answered.length / elapsed), unit: 'req/s' },
      { name: 'risk.check.failed', value: results.length - answered.length, unit: 'requests' },
      { name: 'risk.check.denied', value: denied, unit: 'requests' },
      { name: 'risk.check.evaluate_us_median', value: round(percentile(us, 0.5)), unit: 'us' },
    ];
  } finally {
    await stack.stop();
    await emulators.stop();
  }
}
