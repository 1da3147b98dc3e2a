/**
 * The bundled scenario: Black Thursday (March 2020) replayed day by day from the real closes in
 * test/fixtures/daily-closes-usd.csv. As on a fresh deployment, the history backfill first fills the year of
 * daily closes VaR needs from the local Chainlink node's and Hermes' history. Demo portfolios are opened before
 * the crash; each simulated day Cloud Scheduler's call to ingestPrices is made at 23:59 UTC, so the day's close
 * flows through the whole topology: prices → risk → margin events → alerts. One desk tops up collateral after its margin call.
 */
import type { Message, Subscription } from '@google-cloud/pubsub';
import type { ManualClock } from '../shared/platform/clocks';
import type { ChainlinkHistorySpec } from './providers/chainlink-rpc-server';
import { DEAD_LETTER_INSPECT, type LocalStack } from './stack';

export const SCENARIO = {
  name: 'Black Thursday, March 2020',
  firstDay: '2020-03-05',
  lastDay: '2020-03-20',
  /** Assets quoted in March 2020 (SOL and WBTC have no closes yet). */
  assets: ['BTC', 'ETH', 'LINK', 'USDC', 'USDT'],
  /** Days of closes backfilled before the first day (VaR looks back a year). */
  historyDays: 400,
};

type Side = 'collateral' | 'borrow';
const pos = (asset: string, amount: number, side: Side) => ({ asset, amount, side });

export const DEMO_PORTFOLIOS = [
  {
    portfolioId: 'desk-btc-conservative',
    positions: [pos('BTC', 3, 'collateral'), pos('USDC', 9_000, 'borrow')],
  },
  { portfolioId: 'desk-btc-levered', positions: [pos('BTC', 1, 'collateral'), pos('USDC', 5_600, 'borrow')] },
  {
    portfolioId: 'desk-eth-levered',
    positions: [pos('ETH', 40, 'collateral'), pos('USDC', 5_500, 'borrow')],
  },
  {
    portfolioId: 'desk-multi-asset',
    positions: [
      pos('BTC', 0.5, 'collateral'),
      pos('ETH', 15, 'collateral'),
      pos('LINK', 800, 'collateral'),
      pos('USDT', 5_000, 'borrow'),
    ],
  },
  { portfolioId: 'desk-short-btc', positions: [pos('USDC', 20_000, 'collateral'), pos('BTC', 1, 'borrow')] },
  {
    portfolioId: 'desk-eth-topped-up',
    positions: [pos('ETH', 60, 'collateral'), pos('USDC', 5_500, 'borrow')],
  },
];

/** After its margin call on Black Thursday, this desk posts 2 BTC of extra collateral. */
const TOP_UP = {
  day: '2020-03-13',
  portfolioId: 'desk-eth-topped-up',
  positions: [pos('ETH', 60, 'collateral'), pos('BTC', 2, 'collateral'), pos('USDC', 5_500, 'borrow')],
};

/** The settings the scenario's functions run with: its assets only, four risk shards. */
export function scenarioSettings(): Record<string, string> {
  return {
    PRICE_ASSETS: SCENARIO.assets.join(','),
    RISK_SHARD_COUNT: '4',
    HISTORY_BACKFILL_DAYS: String(SCENARIO.historyDays),
    // The local Hermes has no rate limit to respect.
    HISTORY_BACKFILL_PYTH_INTERVAL_MS: '0',
  };
}

const DAY = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * The local Chainlink node's past, for backfillCloses to walk before the scenario starts: rounds from well before
 * the history VaR needs, and a proxy upgrade inside that year, as a real feed has had.
 */
export function scenarioChainlinkHistory(): ChainlinkHistorySpec {
  const start = Date.parse(SCENARIO.firstDay);
  return {
    from: new Date(start - (SCENARIO.historyDays + 20) * DAY),
    phaseChangeAt: new Date(start - 150 * DAY + 13 * 3_600_000),
  };
}

/** A fresh deployment's first step: the history backfill fills the year of closes VaR needs, from the sources. */
export async function backfillHistory(stack: LocalStack, onLine?: (line: string) => void): Promise<void> {
  const res = await stack.backfill();
  const body = res.body as {
    status?: string;
    from?: string;
    to?: string;
    assets?: Record<string, { filled: number }>;
  };
  if (res.status !== 200 || body.status !== 'done')
    throw new Error(`history backfill answered ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  const filled = Object.entries(body.assets ?? {}).map(([a, o]) => `${a} ${o.filled}`);
  onLine?.(`history backfill ${body.from} .. ${body.to}: ${filled.join(', ')} closes`);
}

export interface ScenarioReport {
  days: number;
  ticks: { day: string; status: number; published: number; unavailable: number }[];
  marginEvents: {
    portfolio_id: string;
    as_of: string;
    from_state: string;
    to_state: string;
    health_score: number | null;
  }[];
  alertsReceived: number;
  deadLetters: number;
}

export async function playScenario(
  stack: LocalStack,
  clock: ManualClock,
  options: { dayDelayMs?: number; onDay?: (line: string) => void } = {},
): Promise<ScenarioReport> {
  const alertsSub = await subscribe(stack, 'alerts.margin.v1', 'scenario-alerts');
  const deadSub = stack.pubsub.subscription(DEAD_LETTER_INSPECT);
  const alerts: Message[] = [];
  const dead: Message[] = [];
  const collect = (into: Message[]) => (m: Message) => {
    into.push(m);
    m.ack();
  };
  alertsSub.on('message', collect(alerts));
  deadSub.on('message', collect(dead));
  try {
    await backfillHistory(stack, options.onDay);
    const opened = new Date(Date.parse(SCENARIO.firstDay) - DAY).toISOString();
    for (const p of DEMO_PORTFOLIOS) {
      await stack.bus.publish('portfolio.positions.v1', { ...p, updatedAt: opened });
    }
    await stack.settle(500);
    const ticks: ScenarioReport['ticks'] = [];
    for (let t = Date.parse(SCENARIO.firstDay); t <= Date.parse(SCENARIO.lastDay); t += DAY) {
      const day = isoDay(t);
      clock.set(`${day}T23:59:00Z`);
      if (day === TOP_UP.day) {
        await stack.bus.publish('portfolio.positions.v1', {
          portfolioId: TOP_UP.portfolioId,
          positions: TOP_UP.positions,
          updatedAt: `${day}T12:00:00Z`,
        });
        await stack.settle(300);
      }
      const res = await stack.tick();
      const body = res.body as { published?: unknown[]; unavailable?: unknown[] };
      ticks.push({
        day,
        status: res.status,
        published: body.published?.length ?? 0,
        unavailable: body.unavailable?.length ?? 0,
      });
      await stack.settle(400);
      options.onDay?.(`${day}: ${body.published?.length ?? 0} prices published`);
      if (options.dayDelayMs) await new Promise((r) => setTimeout(r, options.dayDelayMs));
    }
    await stack.settle(1000);
    const marginEvents = await stack.warehouse.query<ScenarioReport['marginEvents'][number]>(
      'SELECT portfolio_id, as_of, from_state, to_state, health_score FROM risk.margin_events ORDER BY as_of, portfolio_id',
    );
    const deadline = Date.now() + 10_000;
    while (alerts.length < marginEvents.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    return {
      days: ticks.length,
      ticks,
      marginEvents,
      alertsReceived: alerts.length,
      deadLetters: dead.length,
    };
  } finally {
    await alertsSub.close();
    await deadSub.close();
  }
}

async function subscribe(stack: LocalStack, topic: 'alerts.margin.v1', name: string): Promise<Subscription> {
  const [sub] = await stack.pubsub
    .topic(topic)
    .createSubscription(name)
    .catch(async (err: { code?: number }) => {
      if (err.code !== 6) throw err;
      return [stack.pubsub.subscription(name)] as [Subscription];
    });
  return sub;
}

export function formatReport(report: ScenarioReport, flow: string): string {
  const lines = [
    `Scenario: ${SCENARIO.name} — ${report.days} daily ticks (${SCENARIO.firstDay} .. ${SCENARIO.lastDay})`,
    '',
    flow,
    '',
  ];
  lines.push(
    `margin events (risk.margin_events: ${report.marginEvents.length}, alerts.margin.v1 received: ${report.alertsReceived}):`,
  );
  for (const e of report.marginEvents) {
    const score = e.health_score === null ? 'n/a' : e.health_score.toFixed(1);
    lines.push(
      `  ${e.as_of.slice(0, 10)}  ${e.portfolio_id.padEnd(24)} ${e.from_state.padEnd(11)} → ${e.to_state.padEnd(11)} health ${score}`,
    );
  }
  lines.push('', `dead letters: ${report.deadLetters}`);
  return lines.join('\n');
}
