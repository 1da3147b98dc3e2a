import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { usd } from '../../cli/format';
import { checkScenarios, scenarioPnl } from '../../cli/plots/scenarios';
import { dateTicks, escapeXml, fmt, niceTicks, text, usdTickLabel } from '../../cli/plots/svg';
import { histogram, varPlot } from '../../cli/plots/var-plot';
import { dayNumber } from '../../shared/domain/risk/dates';
import { RiskEngine } from '../../shared/domain/risk/engine';
import { closesOn, parseClosesCsv } from '../../shared/domain/risk/history';
import { valuePortfolio, type Position } from '../../shared/domain/risk/margin';
import { allElements, byClass, parseXml, textOf, type XmlElement } from './xml';

const ROOT = join(__dirname, '..', '..');
const PRICES = 'test/fixtures/daily-closes-usd.csv';
const P = (name: string) => `test/fixtures/portfolios/${name}.json`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, ['bin/fusion-risk.js', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Run): string {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return r.stdout;
}

const scratch = mkdtempSync(join(tmpdir(), 'fusion-risk-plots-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const out = (name: string) => join(scratch, name);

function svgOf(file: string): XmlElement {
  return parseXml(readFileSync(file, 'utf8'));
}

function only(root: XmlElement, cls: string): XmlElement {
  const found = byClass(root, cls);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The document frame every plot shares: namespace, size, viewBox, accessible name and description. */
function expectAccessibleSvg(svg: XmlElement): { title: string; desc: string } {
  expect(svg.name).toBe('svg');
  expect(svg.attrs).toMatchObject({
    xmlns: 'http://www.w3.org/2000/svg',
    width: '960',
    height: '540',
    viewBox: '0 0 960 540',
    role: 'img',
    'aria-labelledby': 'plot-title plot-desc',
  });
  const [title, desc] = svg.children;
  expect(title).toMatchObject({ name: 'title', attrs: { id: 'plot-title' } });
  expect(desc).toMatchObject({ name: 'desc', attrs: { id: 'plot-desc' } });
  expect(byClass(svg, 'legend')).toHaveLength(1);
  expect(byClass(svg, 'legend-item').length).toBeGreaterThanOrEqual(3);
  return { title: title.text, desc: desc.text };
}

interface Axis {
  label: string;
  ticks: { value: number; label: string; at: number }[];
  /** Data value at an SVG coordinate along the axis, from the first and last tick. */
  valueAt: (coord: number) => number;
}

/** Reads an axis back from the SVG: its label, its ticks (value, text, position) and the scale they imply. */
function readAxis(svg: XmlElement, cls: 'x-axis' | 'y-axis'): Axis {
  const axis = only(svg, cls);
  expect(byClass(axis, 'domain')).toHaveLength(1);
  const label = textOf(only(axis, 'axis-label'));
  const ticks = byClass(axis, 'tick').map((t) => {
    const mark = t.children.find((c) => c.name === 'line' && c.attrs.class === undefined) as XmlElement;
    return {
      value: Number(t.attrs['data-value']),
      label: textOf(t.children.find((c) => c.name === 'text') as XmlElement),
      at: Number(cls === 'x-axis' ? mark.attrs.x1 : mark.attrs.y1),
    };
  });
  expect(ticks.length).toBeGreaterThanOrEqual(3);
  for (const t of ticks) expect(t.label).not.toBe('');
  const a = ticks[0];
  const b = ticks[ticks.length - 1];
  return { label, ticks, valueAt: (c) => a.value + ((c - a.at) * (b.value - a.value)) / (b.at - a.at) };
}

describe('fusion-risk var --plot', () => {
  const base = ['var', '--portfolio', P('btc-eth-loan'), '--prices', PRICES, '--confidence', '0.99'];
  const args = [...base, '--horizon', '1,10'];
  let stdout: string;
  let svg: XmlElement;
  beforeAll(() => {
    stdout = ok(cli(...args, '--plot', out('var.svg')));
    svg = svgOf(out('var.svg'));
  });

  it('prints the usual table, then where the plot went', () => {
    expect(stdout).toMatch(/^99\.0% +10d +[\d,]+\.\d\d/m);
    expect(stdout.endsWith(`\nPlot written to ${out('var.svg')}\n`)).toBe(true);
  });

  it('is an accessible SVG titled with confidence, horizon and lookback', () => {
    const { title, desc } = expectAccessibleSvg(svg);
    expect(title).toBe('desk-btc-eth-loan: 99.0% 1-day VaR and ES, 365-day lookback');
    expect(desc).toMatch(/Histogram of the 365 simulated 1-day P&L values/);
  });

  it('has both axes with labels and units', () => {
    expect(readAxis(svg, 'x-axis').label).toBe('1-day P&L per scenario (USD)');
    expect(readAxis(svg, 'y-axis').label).toBe('Scenarios (count)');
  });

  it('is a histogram of every scenario', () => {
    const bins = byClass(svg, 'bin');
    expect(bins.length).toBeGreaterThanOrEqual(10);
    expect(bins.reduce((n, b) => n + Number(b.attrs['data-count']), 0)).toBe(365);
  });

  it('marks −VaR and −ES at the figures of the printed table, where the x axis puts them', () => {
    const row = /^99\.0% +1d +([\d,.]+) +([\d,.]+)/m.exec(stdout) as RegExpExecArray;
    const shown = { var: row[1], es: row[2] };
    const x = readAxis(svg, 'x-axis');
    const pxPerUsd = Math.abs((x.ticks[1].at - x.ticks[0].at) / (x.ticks[1].value - x.ticks[0].value));
    for (const kind of ['var', 'es'] as const) {
      const marker = only(svg, `${kind}-marker`);
      const value = Number(shown[kind].replace(/,/g, ''));
      expect(Number(marker.attrs['data-usd'])).toBeCloseTo(-value, 2);
      expect(x.valueAt(Number(marker.attrs.x1))).toBeCloseTo(-value, 0);
      expect(Math.abs(x.valueAt(Number(marker.attrs.x1)) + value) * pxPerUsd).toBeLessThan(0.01);
      expect(textOf(only(svg, `${kind}-label`))).toBe(
        `${kind === 'var' ? 'VaR' : 'ES'} 99.0%: ${shown[kind]} USD`,
      );
    }
  });

  it('is byte-identical for the same input, --json or not, and --json names the file', () => {
    const again = JSON.parse(ok(cli(...args, '--json', '--plot', out('var-again.svg')))) as {
      plotFile: string;
    };
    expect(again.plotFile).toBe(out('var-again.svg'));
    expect(readFileSync(out('var-again.svg')).equals(readFileSync(out('var.svg')))).toBe(true);
  });

  it('plots the first horizon asked (overlapping 10-day returns)', () => {
    const r = ok(
      cli(...base, '--horizon', '10,1', '--horizon-method', 'overlapping', '--plot', out('var-10d.svg')),
    );
    const row = /^99\.0% +10d +([\d,.]+) +([\d,.]+)/m.exec(r) as RegExpExecArray;
    const plot = svgOf(out('var-10d.svg'));
    expect(textOf(only(plot, 'var-label'))).toBe(`VaR 99.0%: ${row[1]} USD`);
    expect(textOf(only(plot, 'es-label'))).toBe(`ES 99.0%: ${row[2]} USD`);
    expect(readAxis(plot, 'x-axis').label).toBe('10-day P&L per scenario (USD)');
  });
});

interface BacktestJson {
  portfolioId: string;
  confidence: number;
  observations: number;
  exceptions: number;
  days: { date: string; varUsd: number; pnlUsd: number; exception: boolean }[];
  trafficLight: { zone: string };
  plotFile: string;
}

describe.each([
  ['2019-01-02', '2024-12-07', []],
  ['2020-01-01', '2020-12-31', ['--lookback', '250', '--confidence', '0.975']],
])('fusion-risk backtest --from %s --to %s --plot', (from, to, extra) => {
  const args = ['backtest', '--portfolio', P('btc-eth-loan'), '--prices', PRICES, '--from', from, '--to', to];
  const file = out(`backtest-${from}.svg`);
  let result: BacktestJson;
  let svg: XmlElement;
  beforeAll(() => {
    result = JSON.parse(ok(cli(...args, ...extra, '--json', '--plot', file))) as BacktestJson;
    svg = svgOf(file);
  });

  it('titles the plot with portfolio, confidence, exception count and traffic light', () => {
    const { title, desc } = expectAccessibleSvg(svg);
    const level = `${(result.confidence * 100).toFixed(1)}%`;
    expect(title).toBe(
      `desk-btc-eth-loan: 1-day ${level} VaR backtest, ${result.exceptions} exceptions in ` +
        `${result.observations} days, traffic light ${result.trafficLight.zone.toUpperCase()}`,
    );
    expect(desc).toContain(`from ${from} to ${to}`);
    expect(result.plotFile).toBe(file);
  });

  it('has a date axis and a USD axis with labels', () => {
    const x = readAxis(svg, 'x-axis');
    expect(x.label).toBe('Date (daily closes)');
    for (const t of x.ticks) {
      expect(t.label).toMatch(/^\d{4}(-\d\d){0,2}$/);
      expect(dayNumber(`${t.label}-01-01`.slice(0, 10))).toBe(t.value);
    }
    expect(readAxis(svg, 'y-axis').label).toBe('P&L (USD)');
  });

  it('draws one P&L and one −VaR point per day', () => {
    for (const cls of ['pnl-line', 'var-line']) {
      expect(only(svg, cls).attrs.points.split(' ')).toHaveLength(result.observations);
    }
  });

  it('marks every exception once, at its date and P&L', () => {
    const markers = byClass(svg, 'exception');
    const hits = result.days.filter((d) => d.exception);
    expect(result.exceptions).toBeGreaterThan(0);
    expect(markers).toHaveLength(result.exceptions);
    expect(markers.map((m) => m.attrs['data-date'])).toEqual(hits.map((d) => d.date));
    const x = readAxis(svg, 'x-axis');
    const y = readAxis(svg, 'y-axis');
    markers.forEach((m, i) => {
      expect(Number(m.attrs['data-pnl-usd'])).toBeCloseTo(hits[i].pnlUsd, 2);
      expect(x.valueAt(Number(m.attrs.cx))).toBeCloseTo(dayNumber(hits[i].date) as number, 1);
      expect(y.valueAt(Number(m.attrs.cy))).toBeCloseTo(hits[i].pnlUsd, -1);
      expect(textOf(m)).toBe(
        `${hits[i].date}: P&L ${usd(hits[i].pnlUsd)} USD, VaR ${usd(hits[i].varUsd)} USD`,
      );
    });
  });

  it('writes the same bytes from the text command, which still prints its report', () => {
    const again = out(`backtest-${from}-again.svg`);
    const stdout = ok(cli(...args, ...extra, '--plot', again));
    expect(stdout).toMatch(/Basel traffic light: (GREEN|YELLOW|RED)/);
    expect(stdout.endsWith(`\nPlot written to ${again}\n`)).toBe(true);
    expect(readFileSync(again).equals(readFileSync(file))).toBe(true);
  });
});

describe('bad --plot: one message on stderr, exit code 2, nothing written', () => {
  const loan = ['--portfolio', P('btc-eth-loan'), '--prices', PRICES];
  const bt = ['backtest', ...loan, '--from', '2020-01-01', '--to', '2020-01-31'];
  mkdirSync(out('a-directory.svg'));
  writeFileSync(out('a-file'), 'x');
  const cases: [string, string[], RegExp][] = [
    [
      'not .svg',
      ['var', ...loan, '--plot', out('var.png')],
      /--plot '.*var\.png' must be a file name ending in \.svg/,
    ],
    ['just .svg', ['var', ...loan, '--plot', out('.svg')], /must be a file name ending in \.svg/],
    [
      'missing directory',
      ['var', ...loan, '--plot', out('nope/var.svg')],
      /--plot .*nope\/var\.svg: .*nope is not an existing directory/,
    ],
    [
      'a file as directory',
      ['backtest', ...bt.slice(1), '--plot', out('a-file/bt.svg')],
      /is not an existing directory/,
    ],
    ['a directory', [...bt, '--plot', out('a-directory.svg')], /--plot .*a-directory\.svg is a directory/],
    ['no value', [...bt, '--plot'], /--plot needs a value/],
    ['not a margin option', ['margin', ...loan, '--plot', out('margin.svg')], /unknown option --plot/],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
  it('created no plot file', () => {
    for (const f of ['var.png', '.svg', 'margin.svg']) expect(existsSync(out(f))).toBe(false);
  });
});

describe('SVG writer', () => {
  it('escapes text and attribute values and drops characters XML forbids', () => {
    expect(escapeXml(`<a & "b" 'c'>\u0001\u2212`)).toBe('&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;\u2212');
    expect(text('P&L <USD>', { 'data-x': 'a"b' })).toBe('<text data-x="a&quot;b">P&amp;L &lt;USD&gt;</text>');
  });

  it('writes numbers in fixed point without trailing zeros or negative zero', () => {
    expect([fmt(12.5), fmt(3), fmt(-0.001), fmt(-0), fmt(1 / 3, 4), fmt(-1234.567)]).toEqual([
      '12.5',
      '3',
      '0',
      '0',
      '0.3333',
      '-1234.57',
    ]);
    expect(() => fmt(NaN)).toThrow(/cannot write NaN/);
  });

  it('picks round ticks covering the range', () => {
    expect(niceTicks(-12421.09, 18077.01, 10)).toMatchObject({ min: -15000, max: 20000, step: 5000 });
    expect(niceTicks(0.1, 0.7, 6).ticks).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(niceTicks(0, 7, 6, true).ticks).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(5, 5).ticks.length).toBeGreaterThan(1);
    expect(usdTickLabel(-20000, 5000)).toBe('-20,000');
    expect(usdTickLabel(7.5, 2.5)).toBe('7.5');
  });

  it('puts date ticks on month starts, years for long spans, days for short ones', () => {
    const d = (iso: string) => dayNumber(iso) as number;
    expect(dateTicks(d('2019-01-02'), d('2024-12-07')).map((t) => t.label)).toEqual([
      '2019-07',
      '2020-01',
      '2020-07',
      '2021-01',
      '2021-07',
      '2022-01',
      '2022-07',
      '2023-01',
      '2023-07',
      '2024-01',
      '2024-07',
    ]);
    expect(dateTicks(d('2000-01-01'), d('2019-12-31')).map((t) => t.label)).toEqual([
      '2000',
      '2002',
      '2004',
      '2006',
      '2008',
      '2010',
      '2012',
      '2014',
      '2016',
      '2018',
    ]);
    expect(dateTicks(d('1990-06-01'), d('2049-12-31')).map((t) => t.label)).toEqual([
      '1995',
      '2000',
      '2005',
      '2010',
      '2015',
      '2020',
      '2025',
      '2030',
      '2035',
      '2040',
      '2045',
    ]);
    expect(dateTicks(d('2020-03-01'), d('2020-03-20')).map((t) => t.label)).toEqual([
      '2020-03-01',
      '2020-03-04',
      '2020-03-07',
      '2020-03-10',
      '2020-03-13',
      '2020-03-16',
      '2020-03-19',
    ]);
  });

  it('writes a well-formed document whatever the portfolio id holds', () => {
    const id = `a<b & "c" ]]> 'd'`;
    const doc = varPlot({
      portfolioId: id,
      asOf: '2024-12-07',
      windowStart: '2024-12-05',
      lookbackDays: 3,
      quantileMethod: 'linear',
      horizonMethod: 'sqrt',
      figure: { confidence: 0.5, horizonDays: 1, varUsd: 0, esUsd: 0 },
      scenarios: [0, 0, 0],
    });
    const svg = parseXml(doc);
    expect(svg.children[0].text).toBe(`${id}: 50.0% 1-day VaR and ES, 3-day lookback`);
    expect(allElements(svg).filter((e) => e.name === 'svg')).toHaveLength(1);
    expect(textOf(byClass(svg, 'heading')[0])).toBe(svg.children[0].text);
  });

  it('histogram bins hold every value once, the maximum in the last bin', () => {
    const bins = histogram([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.count)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    expect(bins[9].to).toBe(11);
  });
});

describe('scenario P&L behind the var plot', () => {
  const history = parseClosesCsv(readFileSync(join(ROOT, PRICES), 'utf8'));
  const positions = (
    JSON.parse(readFileSync(join(ROOT, P('mixed-book')), 'utf8')) as { positions: Position[] }
  ).positions;
  const asOf = '2022-11-09';
  const exposures = valuePortfolio(positions, closesOn(history, asOf)).exposures;

  it.each([
    ['sqrt', 7],
    ['overlapping', 7],
    ['overlapping', 1],
  ] as const)('gives the engine’s VaR and ES (%s, %i days)', (horizonMethod, horizonDays) => {
    const params = {
      lookbackDays: 365,
      confidences: [0.99, 0.95],
      horizons: [horizonDays],
      horizonMethod,
      quantileMethod: 'linear' as const,
    };
    const figures = new RiskEngine(history, params, asOf).evaluate(exposures);
    const pnl = scenarioPnl(history, exposures, { asOf, lookbackDays: 365, horizonDays, horizonMethod });
    expect(pnl).toHaveLength(365);
    for (const f of figures) expect(() => checkScenarios(pnl, f, 'linear')).not.toThrow();
    expect(() => checkScenarios(pnl, { ...figures[0], varUsd: figures[0].varUsd * 1.001 }, 'linear')).toThrow(
      /plot scenarios give VaR/,
    );
  });
});
