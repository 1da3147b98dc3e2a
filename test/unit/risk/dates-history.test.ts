/** Calendar dates and the daily-close CSV: what an operator loading a price file sees accepted or refused. */
import { assertIsoDate, dayNumber, isIsoDate } from '../../../shared/domain/risk/dates';
import { RiskInputError } from '../../../shared/domain/risk/errors';
import {
  closesOn,
  dateIndex,
  parseClosesCsv,
  rangeOf,
  type PriceHistory,
} from '../../../shared/domain/risk/history';

describe('calendar dates', () => {
  it('counts days from 1970-01-01, across a leap day', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('1971-01-01')).toBe(365);
    expect((dayNumber('2024-03-01') as number) - (dayNumber('2024-02-28') as number)).toBe(2);
    expect((dayNumber('2023-03-01') as number) - (dayNumber('2023-02-28') as number)).toBe(1);
  });

  it.each([
    ['2024-02-30', 'February 30th'],
    ['2023-02-29', 'no leap day in 2023'],
    ['2024-04-31', 'April has 30 days'],
    ['2024-13-01', 'month 13'],
    ['2024-00-10', 'month 0'],
    ['2024-03-00', 'day 0'],
    ['0050-01-01', 'a two-digit year Date.UTC would read as 1950'],
    ['2024-1-01', 'one-digit month'],
    ['2024-01-1', 'one-digit day'],
    ['x2024-01-01', 'text before'],
    ['2024-01-01x', 'text after'],
    ['2024/01/01', 'slashes'],
    ['', 'empty'],
  ])('%s is not a date (%s)', (date) => {
    expect(dayNumber(date)).toBeNull();
    expect(isIsoDate(date)).toBe(false);
  });

  it('accepts a leap day and returns its day number when asserted', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(assertIsoDate('1970-01-11', 'as-of')).toBe(10);
  });

  it('refuses a non-date naming what it was meant to be', () => {
    expect(() => assertIsoDate('2024-02-30', 'backtest start')).toThrow(RiskInputError);
    expect(() => assertIsoDate('2024-02-30', 'backtest start')).toThrow(
      "backtest start '2024-02-30' is not a calendar date YYYY-MM-DD",
    );
  });

  it('a RiskInputError is an Error named RiskInputError with its message', () => {
    const e = new RiskInputError('bad close');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('RiskInputError');
    expect(e.message).toBe('bad close');
  });
});

describe('parseClosesCsv, small files', () => {
  it('skips blank lines before the header and between rows, and trims cells and names', () => {
    const h = parseClosesCsv('\n  \n Date , BTC ,ETH\n2024-01-01, 1.5 ,\n\n 2024-01-02 ,2,3\n');
    expect(h).toEqual({
      dates: ['2024-01-01', '2024-01-02'],
      series: { BTC: [1.5, 2], ETH: [null, 3] },
    });
  });

  it.each([
    ['1e3', 1000],
    ['1.5E-2', 0.015],
    ['2e+1', 20],
    ['.5', 0.5],
    ['5.', 5],
    ['+7', 7],
    ['0.25', 0.25],
  ])('reads the plain decimal %s as %p', (cell, value) => {
    expect(parseClosesCsv(`date,BTC\n2024-01-01,${cell}\n`).series.BTC).toEqual([value]);
  });

  it.each(['1e', 'e5', '1.2.3', '--1', '1x', 'x1', '1 2', 'Infinity', 'NaN', '0x1f', '.', '1e5.5'])(
    "refuses '%s' as a price, naming line and column",
    (cell) => {
      expect(() => parseClosesCsv(`date,BTC\n2024-01-01,${cell}\n`)).toThrow(
        `price CSV line 2, column 2 (BTC): '${cell}' is not a number`,
      );
    },
  );

  it('refuses a price too large to be a number, a negative zero and a negative price', () => {
    expect(() => parseClosesCsv('date,BTC\n2024-01-01,1e400\n')).toThrow(
      "price CSV line 2, column 2 (BTC): '1e400' is not a finite number",
    );
    expect(() => parseClosesCsv('date,BTC\n2024-01-01,-0\n')).toThrow('price -0 must be positive');
    expect(() => parseClosesCsv('date,BTC\n2024-01-01,-1\n')).toThrow('price -1 must be positive');
  });

  it('numbers lines from 1 counting the blank ones, and names the header it expected', () => {
    expect(() => parseClosesCsv('\n\nday,BTC\n')).toThrow(
      "price CSV line 3: first column must be 'date' (found 'day'), e.g. date,BTC,ETH",
    );
    expect(() => parseClosesCsv('date,BTC\n\n2024-01-01,1,2\n')).toThrow(
      'price CSV line 3: 3 columns, header has 2',
    );
    expect(() => parseClosesCsv('date,BTC\n2024-01-02,1\n\n2024-01-01,1\n')).toThrow(
      'price CSV line 4: date 2024-01-01 is before 2024-01-02 (dates must ascend)',
    );
    expect(() => parseClosesCsv('date,BTC\n2024-01-01,1\n2024-01-01,1\n')).toThrow(
      'price CSV line 3: duplicate date 2024-01-01',
    );
  });

  it('names empty, whitespace-only and header problems exactly', () => {
    expect(() => parseClosesCsv('')).toThrow('price CSV is empty: expected a header line date,ASSET,...');
    expect(() => parseClosesCsv(' \n\t\n')).toThrow('price CSV is empty');
    expect(() => parseClosesCsv('date\n')).toThrow("price CSV line 1: no asset columns after 'date'");
    expect(() => parseClosesCsv('date,BTC,,ETH\n')).toThrow('price CSV line 1, column 3: empty asset name');
    expect(() => parseClosesCsv('date,BTC,ETH,BTC\n')).toThrow(
      "price CSV line 1, column 4: duplicate asset 'BTC'",
    );
    expect(() => parseClosesCsv('date,BTC\n\n')).toThrow('price CSV has a header but no data rows');
    expect(() => parseClosesCsv('date,BTC\n2024-02-30,1\n')).toThrow(
      "price CSV line 2, column 1 (date): '2024-02-30' is not YYYY-MM-DD",
    );
  });

  it('keeps a missing close as null next to quoted ones', () => {
    const h = parseClosesCsv('date,BTC,ETH\n2024-01-01,,3\n2024-01-02,2,\n');
    expect(h.series).toEqual({ BTC: [null, 2], ETH: [3, null] });
  });
});

describe('looking closes up by date', () => {
  const small: PriceHistory = {
    dates: ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'],
    series: { BTC: [1, 2, 3, null, 5], ETH: [10, null, 30, 40, 50] },
  };

  it('finds every date of the history, and none outside it', () => {
    small.dates.forEach((d, i) => expect(dateIndex(small, d)).toBe(i));
    expect(dateIndex(small, '2023-12-31')).toBe(-1);
    expect(dateIndex(small, '2024-01-06')).toBe(-1);
    expect(dateIndex(small, '2024-01-02T00')).toBe(-1);
    expect(dateIndex({ dates: [], series: {} }, '2024-01-01')).toBe(-1);
  });

  it('gives the closes quoted that day, leaving out the assets without one', () => {
    expect(closesOn(small, '2024-01-02')).toEqual({ BTC: 2 });
    expect(closesOn(small, '2024-01-04')).toEqual({ ETH: 40 });
    expect(closesOn(small, '2024-01-05')).toEqual({ BTC: 5, ETH: 50 });
  });

  it('leaves out an asset whose series stops short of the date', () => {
    expect(
      closesOn({ dates: small.dates, series: { BTC: [1, 2], ETH: small.series.ETH } }, '2024-01-03'),
    ).toEqual({
      ETH: 30,
    });
  });

  it('refuses a date outside the history, naming the range it covers', () => {
    expect(() => closesOn(small, '2024-01-06')).toThrow(RiskInputError);
    expect(() => closesOn(small, '2024-01-06')).toThrow(
      'no closes for 2024-01-06 (history covers 2024-01-01..2024-01-05)',
    );
    expect(rangeOf({ dates: ['2024-01-01'], series: {} })).toBe('2024-01-01..2024-01-01');
    expect(rangeOf({ dates: [], series: {} })).toBe('(empty)');
  });
});
