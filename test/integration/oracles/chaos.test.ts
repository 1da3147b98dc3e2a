/**
 * Chaos: the real adapters (viem, fetch) against both local providers, 355 one-minute ticks of real prices
 * (2024-08-05, the crash day, interpolated from daily closes), with about half of the provider answers
 * failing or garbage. Phases:
 *   P0  5 ticks   all healthy (seeding, as a deployment would).
 *   P1  150 ticks answer-level chaos at 50 % per call: Chainlink bad for ETH/SOL/LINK, Pyth bad for
 *                 BTC/LINK/USDC; USDT bad on both (always); BTC/USDC keep a healthy Chainlink, ETH/SOL/WBTC a
 *                 healthy Pyth.
 *   P2  100 ticks Chainlink dead (500 / 429 / hang on every request); Pyth healthy except USDT.
 *   P3  100 ticks Chainlink healthy again (except USDT); half of the Hermes requests fail (500 / 429 / hang).
 */
import { join } from 'node:path';
import { ChainlinkPriceSource } from '../../../shared/adapters/oracles/chainlink-source';
import { PythHermesPriceSource } from '../../../shared/adapters/oracles/pyth-hermes-source';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import type { MarketPricesV1, PriceAlertV1 } from '../../../shared/contracts/schema-types';
import type { PriceFeedConfig } from '../../../shared/domain/prices/config';
import { tickIdOf } from '../../../shared/domain/prices/ticks';
import {
  checkReading,
  relativeJump,
  rulesFor,
  type ReadingRules,
} from '../../../shared/domain/prices/validation';
import { evenly, type ChaosOptions } from '../../../local-stack/providers/chaos';
import {
  ChainlinkRpcServer,
  ROUND_FAULTS,
  chainlinkFeedSpecs,
} from '../../../local-stack/providers/chainlink-rpc-server';
import { interpolatedPrices, loadDailyClosesCsv } from '../../../local-stack/providers/historical-prices';
import type { RunningServer } from '../../../local-stack/providers/http-server';
import {
  PYTH_FAULTS,
  PythHermesServer,
  pythFeedSpecs,
} from '../../../local-stack/providers/pyth-hermes-server';
import { ManualClock } from '../../../shared/platform/clocks';
import { CapturingSink } from '../../support/capturing-sink';
import { StructuredLogger } from '../../../shared/platform/logger';
import { DEFAULT_PRICE_FEED_CONFIG } from '../../../shared/domain/prices/feeds';
import { ingestPrices, type IngestOutcome } from '../../../shared/use-cases/ingest-prices';

const CHAINLINK_GARBAGE = ROUND_FAULTS;
const PYTH_GARBAGE = PYTH_FAULTS;
const P0 = 5;
const P1 = 150;
const P2 = 100;
const P3 = 100;
/** The longest a recovered source can wait for its half-open trial: the breaker's maximum cool-down. */
const GRACE = DEFAULT_PRICE_FEED_CONFIG.circuitBreaker.maxCoolDownMs / 60_000 + 1;
/** Chainlink answers within its deviation threshold (≤ 0.5 %) of the truth, Pyth at it: 1 % is tight. */
const TIGHT = 0.01;

const config: PriceFeedConfig = DEFAULT_PRICE_FEED_CONFIG;
const assets = config.assets.map((a) => a.asset);
const truth = interpolatedPrices(loadDailyClosesCsv(join(__dirname, '../../fixtures/daily-closes-usd.csv')));
const clock = new ManualClock('2024-08-05T06:00:00Z');

let chainlink: ChainlinkRpcServer;
let pyth: PythHermesServer;
let running: RunningServer[] = [];
let warehouse: DuckDbWarehouse;

interface Tick {
  index: number;
  phase: 'P0' | 'P1' | 'P2' | 'P3';
  at: Date;
  outcome: IngestOutcome;
  chainlinkRequests: number;
}

const ticks: Tick[] = [];

interface PhaseStats {
  chainlinkAnswers: number;
  chainlinkFaults: number;
  chainlinkRequests: number;
  pythAnswers: number;
  pythFaults: number;
  pythRequests: number;
  /** Whole-request faults only (500 / 429 / hang). */
  pythRequestFaults: number;
}
const phaseStats: Partial<Record<Tick['phase'], PhaseStats>> = {};
const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);
const bus = new MemoryEventBus();
const sink = new CapturingSink();

function phaseOf(i: number): Tick['phase'] {
  if (i < P0) return 'P0';
  if (i < P0 + P1) return 'P1';
  if (i < P0 + P1 + P2) return 'P2';
  return 'P3';
}

const phases: Record<Tick['phase'], { chainlink?: ChaosOptions; pyth?: ChaosOptions }> = {
  P0: {},
  P1: {
    chainlink: {
      seed: 101,
      byAsset: {
        ETH: evenly(0.5, CHAINLINK_GARBAGE),
        SOL: evenly(0.5, CHAINLINK_GARBAGE),
        LINK: evenly(0.5, CHAINLINK_GARBAGE),
        USDT: { revert: 1 },
      },
    },
    pyth: {
      seed: 202,
      byAsset: {
        BTC: evenly(0.5, PYTH_GARBAGE),
        LINK: evenly(0.5, PYTH_GARBAGE),
        USDC: evenly(0.5, PYTH_GARBAGE),
        USDT: { 'negative-answer': 1 },
      },
    },
  },
  P2: {
    chainlink: { seed: 303, request: evenly(1, ['http-500', 'http-429', 'hang'] as const), hangMs: 500 },
    pyth: { seed: 404, byAsset: { USDT: { 'negative-answer': 1 } } },
  },
  P3: {
    chainlink: { seed: 505, byAsset: { USDT: { revert: 1 } } },
    pyth: {
      seed: 606,
      request: evenly(0.5, ['http-500', 'http-429', 'hang'] as const),
      byAsset: { USDT: { 'negative-answer': 1 } },
      hangMs: 500,
    },
  },
};

beforeAll(async () => {
  chainlink = new ChainlinkRpcServer({ feeds: chainlinkFeedSpecs(config), price: truth, clock });
  pyth = new PythHermesServer({ feeds: pythFeedSpecs(config), price: truth, clock });
  const [cl, py] = await Promise.all([chainlink.start(), pyth.start()]);
  running = [cl, py];
  warehouse = await DuckDbWarehouse.open(':memory:');
  const deps = {
    sources: [
      ChainlinkPriceSource.fromConfig(
        config,
        { get: async () => `${cl.url}/v2/demo-key` },
        { timeoutMs: 250 },
      ),
      PythHermesPriceSource.fromConfig(config, { baseUrl: py.url, timeoutMs: 250 }),
    ],
    store: new MemoryDocumentStore(),
    bus,
    warehouse,
    clock,
    logger: new StructuredLogger({ sink: sink.sink, minSeverity: 'ERROR' }),
    config,
  };
  // Warm the clients and servers (first connections, JIT) outside the measured ticks: with 250 ms per call, a
  // cold first read on a busy two-core machine can time out, which is not what this test is about. Reading the
  // sources directly leaves no oracle or breaker state behind, and the first phase's counters start after it.
  await Promise.all(deps.sources.map((s) => s.read(assets, clock.now())));
  let phase: Tick['phase'] | undefined;
  let mark = { clReads: 0, clRequests: 0, pyIds: 0, pyRequests: 0 };
  const closePhase = () => {
    const now = {
      clReads: sum(Object.values(chainlink.stats.roundReads)),
      clRequests: chainlink.stats.httpRequests,
      pyIds: sum(Object.values(pyth.stats.idRequests)),
      pyRequests: pyth.stats.httpRequests,
    };
    if (phase)
      phaseStats[phase] = {
        chainlinkAnswers: now.clReads - mark.clReads,
        chainlinkFaults: sum(chainlink.injected.values()),
        chainlinkRequests: now.clRequests - mark.clRequests,
        pythAnswers: now.pyIds - mark.pyIds,
        pythFaults: sum(pyth.injected.values()),
        pythRequests: now.pyRequests - mark.pyRequests,
        pythRequestFaults: sum(['http-500', 'http-429', 'hang'].map((f) => pyth.injected.get(f) ?? 0)),
      };
    mark = now;
  };
  for (let i = 0; i < P0 + P1 + P2 + P3; i++) {
    if (phaseOf(i) !== phase) {
      closePhase();
      phase = phaseOf(i);
      chainlink.setChaos(phases[phase].chainlink);
      pyth.setChaos(phases[phase].pyth);
    }
    const before = chainlink.stats.httpRequests;
    const outcome = await ingestPrices(deps);
    ticks.push({
      index: i,
      phase,
      at: clock.now(),
      outcome,
      chainlinkRequests: chainlink.stats.httpRequests - before,
    });
    clock.advance(60_000);
  }
  closePhase();
});

afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
  await warehouse?.close();
});

const priceMessages = () => bus.on<MarketPricesV1>('market.prices.v1');
const alerts = () => bus.on<PriceAlertV1>('alerts.prices.v1');
const publishedAt = (t: Tick, asset: string) => t.outcome.published.some((p) => p.asset === asset);
const inPhase = (phase: Tick['phase'], from = 0) => ticks.filter((t) => t.phase === phase).slice(from);

describe('chaos: 355 ticks, half the provider answers failing or garbage', () => {
  it('actually injected the chaos it claims', () => {
    const { P0: s0, P1: s1, P2: s2, P3: s3 } = phaseStats as Record<Tick['phase'], PhaseStats>;
    expect(s0.chainlinkFaults + s0.pythFaults).toBe(0);
    // P1: half the answers of 3 of 6 feeds plus every USDT answer: ~42 % on Chainlink, ~36 % on Pyth.
    expect(s1.chainlinkFaults / s1.chainlinkAnswers).toBeGreaterThan(0.3);
    expect(s1.pythFaults / s1.pythAnswers).toBeGreaterThan(0.25);
    // P2: every Chainlink request fails; P3: about half the Hermes requests that were sent fail.
    expect(s2.chainlinkFaults).toBe(s2.chainlinkRequests);
    expect(s3.pythRequestFaults / s3.pythRequests).toBeGreaterThan(0.3);
    expect(ticks).toHaveLength(P0 + P1 + P2 + P3);
  });

  it('publishes one schema-valid message per tick with a price, with the minute tick id', () => {
    const msgs = priceMessages();
    expect(msgs.length).toBe(ticks.filter((t) => t.outcome.published.length > 0).length);
    for (const t of ticks) expect(t.outcome.tickId).toBe(tickIdOf(t.at));
    expect(new Set(msgs.map((m) => m.tickId)).size).toBe(msgs.length);
  });

  it('every published price passes validation and sits within 1 % of the true price at that tick', () => {
    const last = new Map<string, number>();
    let checked = 0;
    for (const msg of priceMessages()) {
      const at = new Date(msg.asOf);
      for (const p of msg.prices) {
        const cfg = config.assets.find((a) => a.asset === p.asset);
        if (!cfg) throw new Error(`unexpected asset ${p.asset}`);
        const rules = rulesFor(cfg, p.source as 'chainlink' | 'pyth', config) as ReadingRules;
        const reading = {
          ok: true as const,
          source: p.source as 'chainlink' | 'pyth',
          asset: p.asset,
          price: p.priceUsd,
          publishTime: new Date(p.publishedAt),
          ...(p.confidenceUsd !== undefined ? { confidence: p.confidenceUsd } : {}),
        };
        expect(checkReading(reading, rules, at)).toBeUndefined();
        const prev = last.get(p.asset);
        if (prev !== undefined) expect(relativeJump(p.priceUsd, prev)).toBeLessThanOrEqual(cfg.maxJumpRatio);
        last.set(p.asset, p.priceUsd);
        const expected = truth(p.asset, at);
        expect(Math.abs(p.priceUsd - expected) / expected).toBeLessThanOrEqual(TIGHT);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1500);
  });

  it('keeps pricing every asset that has a healthy source, every tick', () => {
    const gaps = (phase: Tick['phase'], covered: string[], from = 0) =>
      inPhase(phase, from).flatMap((t) =>
        covered.filter((a) => !publishedAt(t, a)).map((a) => `${t.index}:${a}`),
      );
    expect(gaps('P0', ['BTC', 'ETH', 'SOL', 'LINK', 'USDC', 'USDT', 'WBTC'])).toEqual([]);
    expect(gaps('P1', ['BTC', 'ETH', 'SOL', 'USDC', 'WBTC'])).toEqual([]);
    expect(gaps('P2', ['BTC', 'ETH', 'SOL', 'USDC', 'WBTC'])).toEqual([]);
    // Chainlink is back, but its circuit only lets a trial through after the current cool-down.
    expect(gaps('P3', ['BTC', 'ETH', 'SOL', 'USDC'], GRACE)).toEqual([]);
    // LINK lost both sources at times in P1; once re-established in P3, it stays priced.
    const linkP3 = inPhase('P3', GRACE);
    const firstLink = linkP3.findIndex((t) => publishedAt(t, 'LINK'));
    expect(firstLink).toBeGreaterThanOrEqual(0);
    expect(linkP3.slice(firstLink).filter((t) => !publishedAt(t, 'LINK'))).toEqual([]);
  });

  it('prices the flaky-on-both-sides asset only when a reading is trustworthy, and says so otherwise', () => {
    for (const t of ticks) {
      for (const asset of assets) {
        const priced = publishedAt(t, asset);
        const alerted = t.outcome.alertIds.includes(`${t.outcome.tickId}:${asset}:NO_USABLE_PRICE`);
        expect(`${t.index}:${asset}:${priced !== alerted}`).toBe(`${t.index}:${asset}:true`);
      }
    }
    const link = inPhase('P1').filter((t) => publishedAt(t, 'LINK')).length;
    expect(link).toBeGreaterThan(0);
    expect(link).toBeLessThan(P1);
  });

  it('never prices an asset without a healthy source, and alerts on it every tick', () => {
    const dead = ticks.filter((t) => t.phase !== 'P0');
    expect(dead.filter((t) => publishedAt(t, 'USDT'))).toEqual([]);
    const ids = new Set(
      alerts()
        .filter((a) => a.kind === 'NO_USABLE_PRICE')
        .map((a) => a.alertId),
    );
    for (const t of dead) expect(ids.has(`${t.outcome.tickId}:USDT:NO_USABLE_PRICE`)).toBe(true);
    const usdtErrors = sink.entries().filter((e) => e.severity === 'ERROR' && e.asset === 'USDT');
    expect(usdtErrors).toHaveLength(dead.length);
  });

  it('stops hammering the dead Chainlink node and recovers by itself', () => {
    const p2 = inPhase('P2');
    const calls = p2.reduce((n, t) => n + t.chainlinkRequests, 0);
    expect(calls).toBeLessThanOrEqual(15);
    expect(p2.filter((t) => t.outcome.skippedSources.includes('chainlink')).length).toBeGreaterThan(P2 - 15);
    expect(
      alerts().filter(
        (a) => a.kind === 'SOURCE_CIRCUIT_OPEN' && a.alertId.endsWith(':chainlink:SOURCE_CIRCUIT_OPEN'),
      ),
    ).not.toHaveLength(0);
    const p3 = inPhase('P3', GRACE);
    expect(p3.every((t) => t.outcome.circuits.chainlink === 'CLOSED')).toBe(true);
    expect(
      p3.filter((t) => t.outcome.published.some((p) => p.quality === 'CROSS_CHECKED')).length,
    ).toBeGreaterThan(0);
  });

  it('recorded exactly the published prices in the warehouse', async () => {
    const published = ticks.reduce((n, t) => n + t.outcome.published.length, 0);
    const [row] = await warehouse.query<{ n: number }>('SELECT count(*) AS n FROM market.prices');
    expect(row.n).toBe(published);
    const bySource = await warehouse.query<{ source: string; quality: string; n: number }>(
      'SELECT source, quality, count(*) AS n FROM market.prices GROUP BY source, quality ORDER BY source, quality',
    );
    expect(bySource.map((r) => `${r.source}/${r.quality}`)).toEqual(
      expect.arrayContaining([
        'chainlink/CROSS_CHECKED',
        'chainlink/SINGLE_SOURCE',
        'pyth/FALLBACK',
        'pyth/SINGLE_SOURCE',
      ]),
    );
  });
});
