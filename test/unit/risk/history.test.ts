import { readFileSync } from 'fs';
import { closesOn, dateIndex, parseClosesCsv, type PriceHistory } from '../../../shared/domain/risk/history';
import { RiskInputError } from '../../../shared/domain/risk/errors';
import { CLOSES_CSV, realHistory } from './fixture';

describe('parseClosesCsv on the real fixture', () => {
  let parsed: PriceHistory | undefined;
  const parse = (): PriceHistory => (parsed ??= parseClosesCsv(readFileSync(CLOSES_CSV, 'utf8')));

  it('reads the file as a plain split of its cells', () => {
    expect(parse()).toEqual(realHistory());
  });

  it('reads every day 2018-01-01..2024-12-07 for the seven assets', () => {
    const h = parse();
    expect(h.dates[0]).toBe('2018-01-01');
    expect(h.dates[h.dates.length - 1]).toBe('2024-12-07');
    // 2018..2023 has one leap year (2020): 6·365 + 1 + 342 days of 2024 up to Dec 7.
    expect(h.dates).toHaveLength(6 * 365 + 1 + 342);
    expect(Object.keys(h.series)).toEqual(['BTC', 'ETH', 'SOL', 'LINK', 'USDC', 'USDT', 'WBTC']);
    for (const s of Object.values(h.series)) expect(s).toHaveLength(h.dates.length);
  });

  it('keeps empty cells as null and quoted cells as numbers', () => {
    const h = parse();
    const first = dateIndex(h, '2018-01-01');
    expect(h.series.BTC[first]).toBe(13657.2);
    expect(h.series.SOL[first]).toBeNull();
    expect(h.series.SOL[dateIndex(h, '2020-04-09')]).toBeNull();
    expect(h.series.SOL[dateIndex(h, '2020-04-10')]).not.toBeNull();
    expect(h.series.USDC[dateIndex(h, '2018-10-07')]).toBeNull();
    expect(h.series.USDC[dateIndex(h, '2018-10-08')]).not.toBeNull();
  });

  it('looks up closes by date', () => {
    const h = realHistory();
    const c = closesOn(h, '2024-12-07');
    expect(c.BTC).toBeCloseTo(99980.33, 2);
    expect(c.ETH).toBeCloseTo(3999.42, 2);
    expect(Object.keys(closesOn(h, '2019-01-01')).sort()).toEqual(['BTC', 'ETH', 'LINK', 'USDC', 'USDT']);
    expect(() => closesOn(h, '2025-01-01')).toThrow(/2025-01-01.*2018-01-01\.\.2024-12-07/);
  });

  it('accepts CRLF line ends, a BOM and a trailing blank line', () => {
    const raw = readFileSync(CLOSES_CSV, 'utf8');
    const crlf = parseClosesCsv('\uFEFF' + raw.split('\n').slice(0, 4).join('\r\n') + '\r\n\r\n');
    expect(crlf.dates).toEqual(['2018-01-01', '2018-01-02', '2018-01-03']);
    expect(crlf.series.BTC[1]).toBe(14982.1);
  });
});

describe('parseClosesCsv rejects bad input with the line and column', () => {
  const bad: [string, string, RegExp][] = [
    ['empty text', '', /empty/],
    ['no date column', 'day,BTC\n2024-01-01,1\n', /line 1: first column must be 'date'/],
    ['no asset columns', 'date\n2024-01-01\n', /no asset columns/],
    ['duplicate asset', 'date,BTC,BTC\n', /column 3: duplicate asset 'BTC'/],
    [
      'non-numeric',
      'date,BTC,ETH\n2024-01-01,1,2\n2024-01-02,1,abc\n',
      /line 3, column 3 \(ETH\): 'abc' is not a number/,
    ],
    ['hex is not a price', 'date,BTC\n2024-01-01,0x10\n', /line 2, column 2 \(BTC\): '0x10' is not a number/],
    ['zero price', 'date,BTC\n2024-01-01,0\n', /line 2, column 2 \(BTC\): price 0 must be positive/],
    [
      'negative price',
      'date,BTC\n2024-01-01,-3.5\n',
      /line 2, column 2 \(BTC\): price -3.5 must be positive/,
    ],
    ['duplicate date', 'date,BTC\n2024-01-01,1\n2024-01-01,2\n', /line 3: duplicate date 2024-01-01/],
    [
      'unsorted dates',
      'date,BTC\n2024-01-02,1\n2024-01-01,2\n',
      /line 3: date 2024-01-01 is before 2024-01-02/,
    ],
    [
      'impossible date',
      'date,BTC\n2024-02-30,1\n',
      /line 2, column 1 \(date\): '2024-02-30' is not YYYY-MM-DD/,
    ],
    ['short row', 'date,BTC,ETH\n2024-01-01,1\n', /line 2: 2 columns, header has 3/],
    ['header only', 'date,BTC\n', /no data rows/],
  ];
  it.each(bad)('%s', (_name, text, message) => {
    expect(() => parseClosesCsv(text)).toThrow(RiskInputError);
    expect(() => parseClosesCsv(text)).toThrow(message);
  });
});
