import { parseIntegerString, scaledToNumber } from '../../../shared/domain/prices/decimal';
import { tickIdOf, tickMinute, upsertDailyClose, utcDate } from '../../../shared/domain/prices/ticks';
import { SCHEMAS } from '../../../shared/contracts/schema-registry';

describe('fixed-point conversion', () => {
  it('applies a negative exponent exactly (Hermes BTC example and the Pyth AAPL example)', () => {
    expect(scaledToNumber(2920679499999n, -8)).toBe(29206.79499999);
    expect(scaledToNumber(509500001n, -8)).toBe(5.09500001);
    expect(scaledToNumber(12276250n, -5)).toBe(122.7625);
    expect(scaledToNumber(1500n, -5)).toBe(0.015);
  });

  it('keeps sign, leading zeros and non-negative exponents', () => {
    expect(scaledToNumber(-184136023127n, -8)).toBe(-1841.36023127);
    expect(scaledToNumber(5n, -8)).toBe(0.00000005);
    expect(scaledToNumber(42n, 0)).toBe(42);
    expect(scaledToNumber(42n, 3)).toBe(42000);
    expect(scaledToNumber(0n, -8)).toBe(0);
  });

  it('converts integers beyond 2^53 without going through a lossy multiply', () => {
    // 18-decimal answers (ETH-denominated feeds) overflow doubles as integers but not as decimals.
    expect(scaledToNumber(1234567890123456789012n, -18)).toBe(Number('1234.567890123456789012'));
  });

  it('accepts only integer strings, as Hermes sends i64/u64', () => {
    expect(parseIntegerString('2920679499999')).toBe(2920679499999n);
    expect(parseIntegerString('-12')).toBe(-12n);
    for (const bad of ['1.5', '', ' 1', '1e8', 'abc', 12, null, undefined]) {
      expect(parseIntegerString(bad)).toBeUndefined();
    }
  });
});

describe('tick ids and daily closes', () => {
  const pattern = new RegExp(
    (SCHEMAS['messages/market.prices.v1'] as { properties: { tickId: { pattern: string } } }).properties
      .tickId.pattern,
  );

  it('derives the tick id from the UTC minute, in the schema pattern', () => {
    const id = tickIdOf(new Date('2024-08-05T09:07:59.999Z'));
    expect(id).toBe('tick-20240805T0907Z');
    expect(pattern.test(id)).toBe(true);
    expect(tickIdOf(new Date('2024-08-05T09:07:00.000Z'))).toBe(id);
    expect(tickIdOf(new Date('2024-08-05T09:08:00.000Z'))).not.toBe(id);
    expect(tickMinute(new Date('2024-12-31T23:59:30Z')).toISOString()).toBe('2024-12-31T23:59:00.000Z');
    expect(utcDate(new Date('2024-12-31T23:59:30Z'))).toBe('2024-12-31');
  });

  it("replaces today's close with the latest price and keeps days ascending", () => {
    let closes = upsertDailyClose([], '2024-08-05', 100, 800);
    closes = upsertDailyClose(closes, '2024-08-05', 101, 800);
    closes = upsertDailyClose(closes, '2024-08-06', 102, 800);
    closes = upsertDailyClose(closes, '2024-08-04', 99, 800);
    expect(closes).toEqual([
      { date: '2024-08-04', close: 99 },
      { date: '2024-08-05', close: 101 },
      { date: '2024-08-06', close: 102 },
    ]);
  });

  it('keeps at most the limit, dropping the oldest days', () => {
    let closes: { date: string; close: number }[] = [];
    const start = Date.parse('2022-01-01T00:00:00Z');
    for (let i = 0; i < 810; i++)
      closes = upsertDailyClose(closes, utcDate(new Date(start + i * 86_400_000)), i, 800);
    expect(closes).toHaveLength(800);
    expect(closes[0].close).toBe(10);
    expect(closes[799].close).toBe(809);
  });
});
