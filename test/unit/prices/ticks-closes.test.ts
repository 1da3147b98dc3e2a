/**
 * Tick ids and the rolling daily closes VaR reads: a tick id must name its UTC minute unambiguously, and the
 * close kept for a day must be that day's latest price, with no day dropped while under the limit.
 */
import { tickIdOf, tickMinute, upsertDailyClose, utcDate } from '../../../shared/domain/prices/ticks';

describe('tick ids', () => {
  it('zero-pads month, day, hour and minute so ids sort as times', () => {
    expect(tickIdOf(new Date('2025-01-02T03:04:59.999Z'))).toBe('tick-20250102T0304Z');
    expect(tickIdOf(new Date('2025-12-31T23:59:00.000Z'))).toBe('tick-20251231T2359Z');
  });

  it('starts the minute at its first millisecond, in UTC', () => {
    expect(tickMinute(new Date('2025-01-02T03:04:00.000Z')).toISOString()).toBe('2025-01-02T03:04:00.000Z');
    expect(tickMinute(new Date('2025-01-02T03:04:59.999Z')).toISOString()).toBe('2025-01-02T03:04:00.000Z');
    expect(utcDate(new Date('2025-01-02T00:00:00.000Z'))).toBe('2025-01-02');
  });
});

describe('daily closes', () => {
  const three = [
    { date: '2025-01-01', close: 1 },
    { date: '2025-01-02', close: 2 },
    { date: '2025-01-03', close: 3 },
  ];

  it('keeps every day while the count stays within the limit', () => {
    expect(upsertDailyClose(three.slice(0, 2), '2025-01-03', 3, 4)).toEqual(three);
    expect(upsertDailyClose(three.slice(0, 2), '2025-01-03', 3, 3)).toEqual(three);
  });

  it('drops the oldest days beyond the limit, even when a back-dated close is inserted', () => {
    expect(upsertDailyClose(three.slice(1), '2025-01-01', 1, 2)).toEqual(three.slice(1));
    expect(upsertDailyClose(three.slice(0, 2), '2025-01-03', 3, 2)).toEqual(three.slice(1));
  });

  it('puts a back-dated close in its place among the days, wherever that is', () => {
    const days = ['2025-01-02', '2025-01-04', '2025-01-06'].map((date, i) => ({ date, close: i + 10 }));
    const dates = (closes: { date: string }[]) => closes.map((c) => c.date);
    expect(dates(upsertDailyClose(days, '2025-01-01', 1, 10))).toEqual(['2025-01-01', ...dates(days)]);
    expect(dates(upsertDailyClose(days, '2025-01-05', 5, 10))).toEqual([
      '2025-01-02',
      '2025-01-04',
      '2025-01-05',
      '2025-01-06',
    ]);
    expect(dates(upsertDailyClose([...days].reverse(), '2025-01-03', 3, 10))).toEqual([
      '2025-01-02',
      '2025-01-03',
      '2025-01-04',
      '2025-01-06',
    ]);
  });

  it("replaces the day's close in place, leaving the other days alone", () => {
    expect(upsertDailyClose(three, '2025-01-02', 2.5, 10)).toEqual([
      three[0],
      { date: '2025-01-02', close: 2.5 },
      three[2],
    ]);
  });
});
