/**
 * The pieces of the history backfill that decide what a close is: proxy round ids, the round search across
 * phases (against a brute-force scan of the same rounds), and how two sources' history makes one close.
 */
import { DEFAULT_PRICE_FEED_CONFIG } from '../../../shared/domain/prices/feeds';
import {
  daysDescending,
  dayEndSeconds,
  mergeBackfilledCloses,
  reconcileHistoricalClose,
} from '../../../shared/domain/prices/history-close';
import { proxyRoundId, splitRoundId } from '../../../shared/domain/prices/round-ids';
import type { ChainlinkRound, ChainlinkRoundHistory } from '../../../shared/ports/price-history';
import { RoundWalker } from '../../../shared/use-cases/backfill/round-walker';
import { seededRandom } from '../../../local-stack/seeded-random';

const BTC = DEFAULT_PRICE_FEED_CONFIG.assets.find((a) => a.asset === 'BTC')!;
const MARGIN = DEFAULT_PRICE_FEED_CONFIG.chainlinkStalenessMarginSeconds;

describe('proxy round ids', () => {
  it('pack the phase above the aggregator round and split back', () => {
    const id = proxyRoundId(5, 13078n);
    expect(id).toBe((5n << 64n) | 13078n);
    expect(splitRoundId(id)).toEqual({ phase: 5, aggregatorRound: 13078n });
  });

  it('refuse round 0 (what roundId − 1 gives at a phase boundary) and phases outside uint16', () => {
    expect(() => proxyRoundId(5, 0n)).toThrow(RangeError);
    expect(() => proxyRoundId(0, 1n)).toThrow(RangeError);
    expect(() => proxyRoundId(0x10000, 1n)).toThrow(RangeError);
  });
});

/** A feed's rounds in memory: phase 3 then phase 4, at irregular times, counting reads. */
function feedWithPhases(days: number, perDay: number, seed = 3) {
  const random = seededRandom(seed);
  const start = Date.parse('2024-01-01T00:00:00Z') / 1000;
  const phases = new Map<number, ChainlinkRound[]>();
  let t = start;
  const all: { phase: number; round: ChainlinkRound }[] = [];
  while (t < start + days * 86_400) {
    const phase = t < start + (days / 3) * 86_400 ? 3 : 4;
    const list = phases.get(phase) ?? [];
    phases.set(phase, list);
    const round = {
      roundId: proxyRoundId(phase, BigInt(list.length + 1)),
      answer: 100 + list.length,
      updatedAt: Math.floor(t),
    };
    list.push(round);
    all.push({ phase, round });
    t += (86_400 / perDay) * (0.2 + 1.6 * random());
  }
  let reads = 0;
  const history: ChainlinkRoundHistory = {
    has: () => true,
    latestRound: async () => {
      reads++;
      return phases.get(4)!.at(-1)!;
    },
    rounds: async (_asset, ids) => {
      reads += ids.length;
      return ids.map((id) => {
        const { phase, aggregatorRound } = splitRoundId(id);
        return phases.get(phase)?.[Number(aggregatorRound) - 1];
      });
    },
  };
  const bruteForce = (time: number) => all.filter((r) => r.round.updatedAt <= time).at(-1)?.round;
  return { history, bruteForce, reads: () => reads, start, all };
}

describe('the round search', () => {
  it('finds the last round at or before each day end, across the phase change, as a scan would', async () => {
    const feed = feedWithPhases(90, 30);
    const walker = new RoundWalker(feed.history, 'BTC');
    for (let d = 89; d >= 0; d--) {
      const time = feed.start + d * 86_400 + 86_399;
      const found = await walker.atOrBefore(time);
      const expected = feed.bruteForce(time);
      expect(found && proxyRoundId(found.phase, found.aggregatorRound)).toBe(expected?.roundId);
    }
    // About 30 rounds a day; a handful of reads per day, not 30.
    expect(feed.reads()).toBeLessThan(90 * 6);
  });

  it("answers undefined before the feed's first round, and again after a later time restarts the walk", async () => {
    const feed = feedWithPhases(10, 5);
    const walker = new RoundWalker(feed.history, 'BTC');
    expect(await walker.atOrBefore(feed.start - 1)).toBeUndefined();
    expect(await walker.atOrBefore(feed.start - 86_400)).toBeUndefined();
    const late = feed.start + 9 * 86_400;
    const found = await walker.atOrBefore(late);
    expect(found && proxyRoundId(found.phase, found.aggregatorRound)).toBe(feed.bruteForce(late)?.roundId);
  });

  it('resumes from a saved position without reading the latest round again', async () => {
    const feed = feedWithPhases(40, 20);
    const first = new RoundWalker(feed.history, 'BTC');
    await first.atOrBefore(feed.start + 30 * 86_400 + 86_399);
    const saved = first.position;
    const readsBefore = feed.reads();
    const resumed = new RoundWalker(feed.history, 'BTC', saved);
    const time = feed.start + 29 * 86_400 + 86_399;
    const found = await resumed.atOrBefore(time);
    expect(found && proxyRoundId(found.phase, found.aggregatorRound)).toBe(feed.bruteForce(time)?.roundId);
    expect(feed.reads() - readsBefore).toBeLessThan(10);
  });

  it('refuses a feed that answers another round than the one asked for', async () => {
    const feed = feedWithPhases(5, 10);
    const lying: ChainlinkRoundHistory = {
      ...feed.history,
      rounds: async (asset, ids) =>
        (await feed.history.rounds(asset, ids)).map((r) => r && { ...r, roundId: r.roundId + 1n }),
    };
    await expect(new RoundWalker(lying, 'BTC').atOrBefore(feed.start + 86_400)).rejects.toThrow(
      /asked for round \d+ of phase \d, got another/,
    );
  });
});

describe('a historical close', () => {
  const date = '2024-03-12';
  const end = dayEndSeconds(date);
  const pythAt = (price: number, late = 1) => ({
    price,
    confidence: price * 0.0005,
    publishTime: end - 59 + late,
  });

  it("is Chainlink's answer when Pyth agrees within the asset's deviation", () => {
    expect(
      reconcileHistoricalClose(BTC, date, { answer: 70_000, updatedAt: end - 600 }, pythAt(70_500), MARGIN),
    ).toEqual({ ok: true, date, close: 70_000, sources: 'chainlink+pyth' });
  });

  it('is refused when they disagree, with the gap in the reason; a −40 % day on both is fine', () => {
    const r = reconcileHistoricalClose(
      BTC,
      date,
      { answer: 70_000, updatedAt: end - 600 },
      pythAt(77_000),
      MARGIN,
    );
    expect(r).toEqual({ ok: false, date, reason: 'sources disagree by 10.00 % (max 5.00 %)' });
    expect(
      reconcileHistoricalClose(BTC, date, { answer: 42_000, updatedAt: end - 600 }, pythAt(42_100), MARGIN),
    ).toMatchObject({ ok: true, close: 42_000 });
  });

  it('comes from one source alone, marked so, when the other has nothing usable', () => {
    expect(
      reconcileHistoricalClose(BTC, date, { answer: 70_000, updatedAt: end - 600 }, undefined, MARGIN),
    ).toEqual({
      ok: true,
      date,
      close: 70_000,
      sources: 'chainlink',
    });
    // Chainlink's last round older than heartbeat + margin: frozen; Pyth's close stands alone.
    const frozen = { answer: 69_000, updatedAt: end - 3600 - MARGIN - 1 };
    expect(reconcileHistoricalClose(BTC, date, frozen, pythAt(70_100), MARGIN)).toEqual({
      ok: true,
      date,
      close: 70_100,
      sources: 'pyth',
    });
  });

  it('is nothing when neither source has a usable value, saying what each lacked', () => {
    const late = pythAt(70_000, BTC.pyth!.maxAgeSeconds + 1);
    expect(reconcileHistoricalClose(BTC, date, { answer: 0, updatedAt: end - 10 }, late, MARGIN)).toEqual({
      ok: false,
      date,
      reason: `Chainlink answer is not positive; Pyth's first update after the close came ${BTC.pyth!.maxAgeSeconds + 1} s late (max ${BTC.pyth!.maxAgeSeconds} s)`,
    });
    expect(
      reconcileHistoricalClose(BTC, date, { answer: 70_000, updatedAt: end + 1 }, undefined, MARGIN),
    ).toMatchObject({ ok: false, reason: 'Chainlink round is after the day; no Pyth update' });
    const wide = {
      price: 70_000,
      confidence: 70_000 * (BTC.pyth!.maxConfidenceRatio + 0.001),
      publishTime: end - 58,
    };
    expect(reconcileHistoricalClose(BTC, date, undefined, wide, MARGIN)).toMatchObject({
      ok: false,
      reason: 'no Chainlink round; Pyth confidence too wide',
    });
  });

  it('never replaces a close already there, and keeps the newest `limit` days', () => {
    const live = [
      { date: '2024-03-11', close: 1 },
      { date: '2024-03-13', close: 3 },
    ];
    const filled = [
      { date: '2024-03-13', close: 99, sources: 'chainlink' as const },
      { date: '2024-03-12', close: 2, sources: 'chainlink+pyth' as const },
      { date: '2024-03-10', close: 0.5, sources: 'pyth' as const },
    ];
    expect(mergeBackfilledCloses(live, filled, 3)).toEqual([
      { date: '2024-03-11', close: 1 },
      { date: '2024-03-12', close: 2, sources: 'chainlink+pyth' },
      { date: '2024-03-13', close: 3 },
    ]);
    expect(daysDescending('2024-02-28', '2024-03-01')).toEqual(['2024-03-01', '2024-02-29', '2024-02-28']);
  });
});
