/**
 * Which value becomes a backfilled daily close, at the exact edges a risk manager cares about: the last
 * Chainlink round at or before 23:59:59 UTC, Pyth's first update in the day's last minute, staleness, width of
 * Pyth's interval and agreement between the two. A close from the wrong round feeds VaR the wrong return.
 */
import {
  addDays,
  dayEndSeconds,
  daysDescending,
  mergeBackfilledCloses,
  pythCloseRequestSeconds,
  reconcileHistoricalClose,
} from '../../../shared/domain/prices/history-close';
import { assetConfig } from './support';

const date = '2024-03-12';
const END = 1710287999; // 2024-03-12T23:59:59Z
const MARGIN = 300;
/** heartbeat 3600 s, Pyth max age 60 s, confidence ≤ 1 %, sources within 5 %. */
const ETH = assetConfig('ETH');
const pythAt = (publishTime: number, price = 2500, confidence = 1) => ({ price, confidence, publishTime });
const round = (updatedAt: number, answer = 2500) => ({ answer, updatedAt });
const close = (
  chainlink: ReturnType<typeof round> | undefined,
  pyth: ReturnType<typeof pythAt> | undefined,
  feed = ETH,
) => reconcileHistoricalClose(feed, date, chainlink, pyth, MARGIN);

describe('the close instant and the days walked', () => {
  it('takes the close at 23:59:59 UTC and asks Pyth from the start of that minute', () => {
    expect(dayEndSeconds(date)).toBe(END);
    expect(pythCloseRequestSeconds(date)).toBe(END - 59);
    expect(new Date(pythCloseRequestSeconds(date) * 1000).toISOString()).toBe('2024-03-12T23:59:00.000Z');
  });

  it('walks days newest first, inclusive of both ends, and nothing when the range is empty', () => {
    expect(daysDescending(date, date)).toEqual([date]);
    expect(daysDescending('2024-12-30', '2025-01-01')).toEqual(['2025-01-01', '2024-12-31', '2024-12-30']);
    expect(daysDescending('2024-03-13', date)).toEqual([]);
  });

  it('adds and subtracts whole UTC days across month and year ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(addDays(date, 0)).toBe(date);
  });
});

describe('the Chainlink round that stands for the close', () => {
  it('accepts a round updated exactly at 23:59:59, and refuses one a second later', () => {
    expect(close(round(END), undefined)).toEqual({ ok: true, date, close: 2500, sources: 'chainlink' });
    expect(close(round(END + 1), undefined)).toEqual({
      ok: false,
      date,
      reason: 'Chainlink round is after the day; no Pyth update',
    });
  });

  it('accepts a round exactly heartbeat + margin old, and calls one a second older frozen, with its age', () => {
    expect(close(round(END - 3900), undefined)).toMatchObject({ ok: true, sources: 'chainlink' });
    expect(close(round(END - 3901), undefined)).toEqual({
      ok: false,
      date,
      reason: "Chainlink's last round was 1 h old at the close (heartbeat 3600 s); no Pyth update",
    });
    expect(close(round(END - 4 * 3600 - 1000), undefined)).toMatchObject({
      reason: expect.stringMatching(/^Chainlink's last round was 4 h old at the close/),
    });
  });

  it("uses the feed's own staleness margin over the global one", () => {
    const tight = assetConfig('ETH', {
      chainlink: { ...ETH.chainlink!, stalenessMarginSeconds: 10 },
    });
    expect(close(round(END - 3610), undefined, tight)).toMatchObject({ ok: true });
    expect(close(round(END - 3611), undefined, tight)).toMatchObject({ ok: false });
  });

  it('refuses a zero, negative or non-finite answer', () => {
    for (const answer of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(close(round(END - 10, answer), undefined)).toMatchObject({
        ok: false,
        reason: 'Chainlink answer is not positive; no Pyth update',
      });
  });
});

describe("Pyth's update that stands for the close", () => {
  it('accepts the first update from 23:59:00 up to max age later, nothing outside that', () => {
    const asked = END - 59;
    expect(close(undefined, pythAt(asked))).toEqual({ ok: true, date, close: 2500, sources: 'pyth' });
    expect(close(undefined, pythAt(asked + 60))).toMatchObject({ ok: true, sources: 'pyth' });
    expect(close(undefined, pythAt(asked + 61))).toEqual({
      ok: false,
      date,
      reason: "no Chainlink round; Pyth's first update after the close came 61 s late (max 60 s)",
    });
    expect(close(undefined, pythAt(asked - 1))).toEqual({
      ok: false,
      date,
      reason: "no Chainlink round; Pyth's update came 1 s before the day's last minute",
    });
  });

  it('accepts a confidence interval exactly at the bound, not beyond', () => {
    expect(close(undefined, pythAt(END, 2500, 25))).toMatchObject({ ok: true, close: 2500 });
    expect(close(undefined, pythAt(END, 2500, 25.01))).toMatchObject({
      ok: false,
      reason: 'no Chainlink round; Pyth confidence too wide',
    });
  });

  it('refuses a zero, negative or non-finite price', () => {
    for (const price of [0, -5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(close(undefined, pythAt(END, price))).toMatchObject({
        ok: false,
        reason: 'no Chainlink round; Pyth price is not positive',
      });
  });
});

describe('two sources, one close', () => {
  it("keeps Chainlink's answer when the gap is exactly maxSourceDeviation, refuses a wider gap", () => {
    expect(close(round(END - 60, 2000), pythAt(END, 2100, 1))).toEqual({
      ok: true,
      date,
      close: 2000,
      sources: 'chainlink+pyth',
    });
    expect(close(round(END - 60, 2000), pythAt(END, 2101, 1))).toEqual({
      ok: false,
      date,
      reason: 'sources disagree by 5.05 % (max 5.00 %)',
    });
    // Measured against the smaller price whichever source is higher.
    expect(close(round(END - 60, 2101), pythAt(END, 2000, 1))).toMatchObject({ ok: false });
  });

  it('says which source an asset lacks when it has only one configured', () => {
    const pythOnly = assetConfig('WBTC', { chainlink: undefined });
    expect(close(round(END - 60), pythAt(END), pythOnly)).toEqual({
      ok: true,
      date,
      close: 2500,
      sources: 'pyth',
    });
    expect(close(round(END - 60), undefined, pythOnly)).toEqual({
      ok: false,
      date,
      reason: 'no Chainlink feed; no Pyth update',
    });
    const chainlinkOnly = assetConfig('LINK', { pyth: undefined });
    expect(close(undefined, pythAt(END), chainlinkOnly)).toEqual({
      ok: false,
      date,
      reason: 'no Chainlink round; no Pyth feed',
    });
  });
});

describe('merging backfilled closes', () => {
  it('keeps everything when the limit is above the count, and the newest days when it is below', () => {
    const live = [
      { date: '2024-03-12', close: 12 },
      { date: '2024-03-10', close: 10 },
    ];
    const filled = [{ date: '2024-03-11', close: 11, sources: 'chainlink' as const }];
    const all = [
      { date: '2024-03-10', close: 10 },
      { date: '2024-03-11', close: 11, sources: 'chainlink' },
      { date: '2024-03-12', close: 12 },
    ];
    expect(mergeBackfilledCloses(live, filled, 4)).toEqual(all);
    expect(mergeBackfilledCloses(live, filled, 3)).toEqual(all);
    expect(mergeBackfilledCloses(live, filled, 2)).toEqual(all.slice(1));
  });
});
