/**
 * The history backfill on a fresh deployment: a year of daily closes for every configured asset, read through the
 * real viem and Hermes clients from the local Chainlink node (rounds at irregular times, several a day, and a
 * proxy upgrade inside the year) and the local Hermes (whose history starts later than the year), written to the
 * Firestore emulator. Each close is checked against the node's own rounds (the last one at or before the day's
 * end), VaR is available right after, the RPC calls are counted, a rerun reads nothing, and a run that dies
 * halfway is finished by the next one without reading the year again.
 */
import {
  chainlinkFeedSpecs,
  startChainlinkRpcServer,
  type ChainlinkRpcServer,
} from '../../../local-stack/providers/chainlink-rpc-server';
import { pythFeedSpecs, startPythHermesServer } from '../../../local-stack/providers/pyth-hermes-server';
import { LocalSecrets } from '../../../local-stack/platform';
import { ChainlinkHistoryReader } from '../../../shared/adapters/oracles/chainlink-history';
import { PythHermesPriceSource } from '../../../shared/adapters/oracles/pyth-hermes-source';
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { DEFAULT_PRICE_FEED_CONFIG } from '../../../shared/domain/prices/feeds';
import { dayEndSeconds, daysDescending } from '../../../shared/domain/prices/history-close';
import type { DailyClosesDoc } from '../../../shared/domain/prices/ticks';
import { RiskEngine } from '../../../shared/domain/risk/engine';
import { DEFAULT_RISK_PARAMS } from '../../../shared/domain/risk/engine';
import { ManualClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import type { ChainlinkRoundHistory } from '../../../shared/ports/price-history';
import {
  backfillDailyCloses,
  BACKFILL_COLLECTION,
  type BackfillDeps,
  type BackfillOutcome,
} from '../../../shared/use-cases/backfill/backfill-closes';
import { loadHistory } from '../../../shared/use-cases/risk-history';
import { CapturingSink } from '../../support/capturing-sink';
import { emulatorHosts, historicalPrices, isolatedProjectId } from '../../support/env';

const NOW = '2024-06-15T08:00:00Z';
const DAYS = 366;
const FIRST = '2023-06-15';
const LAST = '2024-06-14';
const PHASE_CHANGE = '2023-11-20T13:17:00Z';
const PYTH_FROM = '2023-09-01T00:00:00Z';
/** ETH: Hermes reports a price 20 % off on this day: the sources disagree and the day stays missing. */
const DISAGREE_DAY = '2024-02-10';
/** LINK: the Chainlink feed froze for this day (no round): the close comes from Pyth alone. */
const FROZEN_DAY = '2024-03-05';

const config = DEFAULT_PRICE_FEED_CONFIG;
const assets = config.assets.map((a) => a.asset);
const history = historicalPrices();
const clock = new ManualClock(NOW);
const sink = new CapturingSink();
const logger = new StructuredLogger({ sink: sink.sink, projectId: 'backfill' });
const closers: (() => Promise<void>)[] = [];
const secrets = new LocalSecrets();
let node: ChainlinkRpcServer;
let hermes: PythHermesPriceSource;
let hermesStats: { historyRequests: number };

const utcDay = (at: Date) => at.toISOString().slice(0, 10);

beforeAll(async () => {
  const chainlinkPrice = (asset: string, at: Date) => {
    if (asset === 'LINK' && utcDay(at) === FROZEN_DAY) throw new Error('feed frozen');
    return history(asset, at);
  };
  const pythPrice = (asset: string, at: Date) =>
    history(asset, at) * (asset === 'ETH' && utcDay(at) === DISAGREE_DAY ? 1.2 : 1);
  const chainlink = await startChainlinkRpcServer({
    feeds: chainlinkFeedSpecs(config),
    price: chainlinkPrice,
    clock,
    history: { from: new Date('2023-05-01T00:00:00Z'), phaseChangeAt: new Date(PHASE_CHANGE), seed: 7 },
  });
  const pyth = await startPythHermesServer({
    feeds: pythFeedSpecs(config),
    price: pythPrice,
    clock,
    historyFrom: new Date(PYTH_FROM),
  });
  closers.push(chainlink.close, pyth.close);
  node = chainlink.server;
  hermesStats = pyth.server.stats;
  secrets.values.set('CHAINLINK_RPC_URL', chainlink.url);
  hermes = PythHermesPriceSource.fromConfig(config, { baseUrl: pyth.url });
});

afterAll(async () => {
  for (const close of closers) await close();
});

function storeFor(label: string): FirestoreDocumentStore {
  const store = new FirestoreDocumentStore({
    projectId: isolatedProjectId(label),
    emulatorHost: emulatorHosts().firestoreHost,
  });
  closers.push(() => store.close());
  return store;
}

function deps(store: FirestoreDocumentStore, chainlink?: ChainlinkRoundHistory): BackfillDeps {
  return {
    store,
    clock,
    logger,
    config,
    chainlink: chainlink ?? ChainlinkHistoryReader.fromConfig(config, secrets),
    pyth: hermes,
    options: { days: DAYS, chunkDays: 30, pythIntervalMs: 0, budgetMs: 3_600_000 },
  };
}

/** getRoundData and latestRoundData calls the node has answered so far. */
const roundCalls = () =>
  Object.values(node.stats.historyReads).reduce((a, b) => a + b, 0) +
  Object.values(node.stats.roundReads).reduce((a, b) => a + b, 0);

const roundsCache = new Map<string, ReturnType<ChainlinkRpcServer['roundsOf']>>();

/** The close a day should get from Chainlink: the last round at or before 23:59:59, from the node's own list. */
function expectedChainlinkClose(asset: string, date: string): number | undefined {
  const end = dayEndSeconds(date);
  if (!roundsCache.has(asset)) roundsCache.set(asset, node.roundsOf(asset));
  const last = roundsCache
    .get(asset)
    ?.filter((r) => r.updatedAt <= end)
    .at(-1);
  // Stale past heartbeat + margin: no Chainlink close that day.
  const heartbeat = config.assets.find((a) => a.asset === asset)?.chainlink?.heartbeatSeconds ?? 0;
  if (!last || end - last.updatedAt > heartbeat + config.chainlinkStalenessMarginSeconds) return undefined;
  return Number(last.answer) / 1e8;
}

async function closesOf(store: FirestoreDocumentStore): Promise<Map<string, DailyClosesDoc>> {
  return store.getMany<DailyClosesDoc>('dailyCloses', assets);
}

describe('history backfill from the local Chainlink node and Hermes', () => {
  let fullRun: { outcome: BackfillOutcome; calls: number; store: FirestoreDocumentStore };

  beforeAll(async () => {
    const store = storeFor('backfill-full');
    const before = roundCalls();
    const outcome = await backfillDailyCloses(deps(store));
    fullRun = { outcome, calls: roundCalls() - before, store };
  });

  it('fills the year for every configured asset, each close the last Chainlink round of its day', async () => {
    const { outcome, store } = fullRun;
    expect(outcome).toMatchObject({ status: 'done', from: FIRST, to: LAST });
    const docs = await closesOf(store);
    const days = daysDescending(FIRST, LAST);
    // WBTC has only a Pyth feed: before Hermes' history starts no source has it, and the outcome says so.
    const beforePyth = days.filter((d) => d < PYTH_FROM.slice(0, 10));
    expect(outcome.assets.WBTC.unavailable).toEqual(
      beforePyth.slice(0, 50).map((date) => ({ date, reason: 'no Chainlink feed; no Pyth update' })),
    );
    for (const a of assets)
      if (a !== 'ETH' && a !== 'WBTC') expect([a, outcome.assets[a].unavailable]).toEqual([a, []]);
    for (const asset of assets) {
      const closes = docs.get(asset)?.closes ?? [];
      const missing = asset === 'ETH' ? [DISAGREE_DAY] : asset === 'WBTC' ? beforePyth : [];
      expect(closes.map((c) => c.date)).toEqual(days.filter((d) => !missing.includes(d)).reverse());
      for (const c of closes) {
        const fromChainlink = expectedChainlinkClose(asset, c.date);
        if (fromChainlink !== undefined) expect(c.close).toBe(fromChainlink);
        else expect(c.sources).toBe('pyth');
        // Hermes' history starts on PYTH_FROM: earlier closes are Chainlink's alone, and marked so.
        const bothSources = c.date >= PYTH_FROM.slice(0, 10) && fromChainlink !== undefined;
        expect(c.sources).toBe(bothSources ? 'chainlink+pyth' : fromChainlink ? 'chainlink' : 'pyth');
      }
    }
    // The proxy upgrade is inside the year: days before it were read from the previous phase's rounds.
    const upgraded = node.roundsOf('BTC').find((r) => r.phase === 5);
    expect(upgraded?.updatedAt).toBeGreaterThan(dayEndSeconds(FIRST));
    expect(node.roundsOf('BTC').some((r) => r.phase === 4 && r.updatedAt < dayEndSeconds('2023-11-19'))).toBe(
      true,
    );
  });

  it('fills a day Chainlink missed from Pyth, and leaves a day the sources disagree on missing, saying why', async () => {
    const { outcome, store } = fullRun;
    const link = (await closesOf(store)).get('LINK')?.closes.find((c) => c.date === FROZEN_DAY);
    expect(link).toEqual({ date: FROZEN_DAY, close: expect.any(Number), sources: 'pyth' });
    expect(link?.close).toBeCloseTo(history('LINK', new Date(`${FROZEN_DAY}T23:59:00Z`)), 6);
    expect(outcome.assets.ETH.unavailable).toEqual([
      { date: DISAGREE_DAY, reason: expect.stringMatching(/^sources disagree by 20\.\d\d %/) },
    ]);
    expect(
      sink
        .entries()
        .some((e) => e.message === 'history backfill: no close for a day' && e.date === DISAGREE_DAY),
    ).toBe(true);
  });

  it('reads a few rounds per day, not every round of the year', () => {
    const { calls } = fullRun;
    const roundsInYear = assets
      .map((a) => node.roundsOf(a).filter((r) => r.updatedAt > dayEndSeconds(FIRST) - 86_400).length)
      .reduce((a, b) => a + b, 0);
    const assetDays = assets.length * DAYS;
    expect(calls).toBeLessThan(assetDays * 6);
    expect(calls).toBeLessThan(roundsInYear / 4);
  });

  it('makes VaR available right after: a 365-day lookback over every asset', async () => {
    const h = await loadHistory(
      fullRun.store,
      assets.filter((a) => a !== 'ETH'),
    );
    const engine = new RiskEngine(h, { ...DEFAULT_RISK_PARAMS, lookbackDays: 365 }, LAST);
    const [figure] = engine.evaluate([{ asset: 'BTC', netUsd: 1_000_000 }]);
    expect(figure.varUsd).toBeGreaterThan(10_000);
    expect(figure.varUsd).toBeLessThan(200_000);
  });

  it('is idempotent: a rerun over the same range reads no round and asks Hermes nothing', async () => {
    const before = { calls: roundCalls(), hermes: hermesStats.historyRequests };
    const docsBefore = await closesOf(fullRun.store);
    const outcome = await backfillDailyCloses(deps(fullRun.store));
    expect(outcome.status).toBe('done');
    for (const a of assets) expect(outcome.assets[a].filled).toBe(0);
    expect(roundCalls() - before.calls).toBe(0);
    expect(hermesStats.historyRequests - before.hermes).toBe(0);
    expect(await closesOf(fullRun.store)).toEqual(docsBefore);
  });

  it('resumes after a crash halfway: the next run finishes without reading the year again', async () => {
    const store = storeFor('backfill-crash');
    const reader = ChainlinkHistoryReader.fromConfig(config, secrets);
    let reads = 0;
    const crashAfter = Math.round(fullRun.calls / 2);
    // The process dies mid-run: a read that never returns control (nothing after the last commit survives).
    const dying: ChainlinkRoundHistory = {
      has: (a) => reader.has(a),
      latestRound: (a) => reader.latestRound(a),
      rounds: async (a, ids) => {
        reads += ids.length;
        if (reads > crashAfter) throw new Error('process killed');
        return reader.rounds(a, ids);
      },
    };
    const start1 = roundCalls();
    await expect(backfillDailyCloses(deps(store, dying))).rejects.toThrow('process killed');
    const firstCalls = roundCalls() - start1;
    const progress = await store.get<{ status: string }>(BACKFILL_COLLECTION, 'BTC');
    expect(progress?.status).toBe('running');
    const partial = (await closesOf(store)).get('BTC')?.closes.length ?? 0;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(DAYS);

    const start2 = roundCalls();
    const outcome = await backfillDailyCloses(deps(store));
    const secondCalls = roundCalls() - start2;
    expect(outcome.status).toBe('done');
    const resumed = await closesOf(store);
    const full = await closesOf(fullRun.store);
    for (const a of assets) expect(resumed.get(a)?.closes).toEqual(full.get(a)?.closes);
    // The second run reads what was not committed (at most one chunk again), not the whole year.
    expect(secondCalls).toBeLessThan(fullRun.calls * 0.75);
    expect(firstCalls + secondCalls).toBeLessThan(fullRun.calls * 1.25);
  });
});
