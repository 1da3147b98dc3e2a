import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DEFAULT_RISK_PARAMS, RiskEngine, type RiskParams } from '../../shared/domain/risk/engine';
import { closesOn, parseClosesCsv } from '../../shared/domain/risk/history';
import { valuePortfolio, type Position } from '../../shared/domain/risk/margin';

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

function json<T>(r: Run): T {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(r.stdout) as T;
}

const history = parseClosesCsv(readFileSync(join(ROOT, PRICES), 'utf8'));
const positionsOf = (name: string): Position[] =>
  (JSON.parse(readFileSync(join(ROOT, P(name)), 'utf8')) as { positions: Position[] }).positions;

/** Every line of an aligned table has the same width: the last column is right-aligned. */
function expectAligned(block: string): void {
  const lines = block.split('\n').filter((l) => l.length > 0);
  expect(lines.length).toBeGreaterThan(2);
  expect(lines[1]).toMatch(/^-+( +-+)+$/);
  expect(new Set(lines.map((l) => l.length)).size).toBe(1);
}

interface VarFigureJson {
  asOf: string;
  lookbackDays: number;
  quantileMethod: string;
  horizonMethod: string;
  confidence: number;
  horizonDays: number;
  varUsd: number;
  esUsd: number;
}

describe('fusion-risk --help', () => {
  it('prints the usage of every command and exits 0', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fusion-risk var .*--portfolio FILE --prices FILE/);
    expect(r.stdout).toMatch(/fusion-risk margin/);
    expect(r.stdout).toMatch(/fusion-risk backtest .*--from YYYY-MM-DD --to YYYY-MM-DD/);
  });

  it('has per-command help', () => {
    const r = cli('var', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--horizon-method/);
    expect(r.stdout).toMatch(/inverted_cdf/);
  });
});

describe('fusion-risk var', () => {
  it('prints an aligned table of 3 confidences × 4 horizons with its inputs', () => {
    const r = cli('var', '--portfolio', P('btc-eth-loan'), '--prices', PRICES);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/closes of 2024-12-07/);
    expect(r.stdout).toMatch(/365 daily returns 2023-12-09\.\.2024-12-07, quantile linear, horizon sqrt/);
    const table = r.stdout.slice(r.stdout.indexOf('Confidence'));
    expectAligned(table);
    expect(table.trim().split('\n')).toHaveLength(2 + 12);
    expect(table).toMatch(/^99\.0% +30d +[\d,]+\.\d\d +[\d,]+\.\d\d/m);
  });

  it('--json reproduces risk-math.md §3.1 for 1 BTC + 10 ETH and carries the inputs next to every figure', () => {
    const base = ['var', '--portfolio', P('position-1btc-10eth'), '--prices', PRICES, '--lookback', '250'];
    const linear = json<{ figures: VarFigureJson[]; windowStart: string }>(
      cli(...base, '--confidence', '0.99,0.975', '--horizon', '1', '--json'),
    );
    expect(linear.windowStart).toBe('2024-04-02');
    const [v99, v975] = linear.figures;
    expect(v99).toMatchObject({
      asOf: '2024-12-07',
      lookbackDays: 250,
      quantileMethod: 'linear',
      horizonMethod: 'sqrt',
    });
    expect(v99).toMatchObject({ confidence: 0.99, horizonDays: 1 });
    expect(v99.varUsd).toBeCloseTo(8696.14, 2);
    expect(v975.confidence).toBe(0.975);
    expect(v975.esUsd).toBeCloseTo(8843.24, 2);
    const inverted = json<{ figures: VarFigureJson[] }>(
      cli(...base, '--confidence', '0.99', '--horizon', '1', '--quantile', 'inverted_cdf', '--json'),
    );
    expect(inverted.figures[0].quantileMethod).toBe('inverted_cdf');
    expect(inverted.figures[0].varUsd).toBeCloseTo(8702.86, 2);
  });

  it.each(['sqrt', 'overlapping'])('--json equals the engine run in-process (%s)', (horizonMethod) => {
    const asOf = '2022-11-09';
    const out = json<{ figures: VarFigureJson[]; exposures: unknown[]; asOf: string }>(
      cli(
        'var',
        '--portfolio',
        P('mixed-book'),
        '--prices',
        PRICES,
        '--as-of',
        asOf,
        '--horizon-method',
        horizonMethod,
        '--json',
      ),
    );
    const params: RiskParams = {
      ...DEFAULT_RISK_PARAMS,
      horizonMethod: horizonMethod as RiskParams['horizonMethod'],
    };
    const valuation = valuePortfolio(positionsOf('mixed-book'), closesOn(history, asOf));
    const expected = new RiskEngine(history, params, asOf).evaluate(valuation.exposures);
    expect(out.asOf).toBe(asOf);
    expect(out.exposures).toEqual(valuation.exposures);
    expect(
      out.figures.map(({ confidence, horizonDays, varUsd, esUsd }) => ({
        confidence,
        horizonDays,
        varUsd,
        esUsd,
      })),
    ).toEqual(expected);
    for (const f of out.figures)
      expect(f).toMatchObject({ asOf, lookbackDays: 365, horizonMethod, quantileMethod: 'linear' });
  });
});

describe('fusion-risk margin', () => {
  it('values the book, classifies it and prints the liquidation price 1.15 · B / q', () => {
    const out = json<{
      healthScore: number;
      state: string;
      borrowUsd: number;
      collateralUsd: number;
      liquidationPrices: { asset: string; priceUsd: number | null; currentPriceUsd: number }[];
    }>(cli('margin', '--portfolio', P('single-btc-usdc'), '--prices', PRICES, '--json'));
    const c = closesOn(history, '2024-12-07');
    expect(out.collateralUsd).toBeCloseTo(2 * c.BTC, 6);
    expect(out.borrowUsd).toBeCloseTo(150_000 * c.USDC, 6);
    expect(out.healthScore).toBeCloseTo(((2 * c.BTC - 150_000 * c.USDC) / (150_000 * c.USDC)) * 100, 9);
    expect(out.state).toBe('WARNING');
    expect(out.liquidationPrices).toHaveLength(2);
    expect(out.liquidationPrices[0]).toMatchObject({ asset: 'BTC', side: 'collateral', direction: 'falls' });
    expect(out.liquidationPrices[0].priceUsd).toBeCloseTo((1.15 * 150_000 * c.USDC) / 2, 6);
    // The borrowed asset too: the debt liquidates the book if USDC rises (depegs up) this far.
    expect(out.liquidationPrices[1]).toMatchObject({ asset: 'USDC', side: 'borrow', direction: 'rises' });
    expect(out.liquidationPrices[1].priceUsd).toBeCloseTo((2 * c.BTC) / (1.15 * 150_000), 9);
  });

  it('prints aligned tables, the state and "none" where no liquidation price exists', () => {
    const r = cli('margin', '--portfolio', P('mixed-book'), '--prices', PRICES, '--as-of', '2024-12-07');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/State +HEALTHY/);
    const liq = r.stdout.slice(r.stdout.indexOf('Position'));
    expectAligned(liq);
    expect(liq).toMatch(/^SOL +collateral .* none/m);
    expectAligned(r.stdout.slice(r.stdout.indexOf('Asset'), r.stdout.indexOf('\n\nCollateral')));
  });
});

describe('fusion-risk backtest', () => {
  it('--json reports daily rows, Kupiec, Christoffersen and the traffic light consistently', () => {
    const out = json<{
      confidence: number;
      lookbackDays: number;
      observations: number;
      exceptions: number;
      days: { date: string; varUsd: number; pnlUsd: number; exception: boolean }[];
      kupiec: { lr: number; reject: boolean };
      christoffersen: { n00: number; n01: number; n10: number; n11: number; lrInd: number; lrCc: number };
      trafficLight: { zone: string; exceptions: number; greenMax: number; yellowMax: number };
    }>(
      cli(
        'backtest',
        '--portfolio',
        P('btc-eth-loan'),
        '--prices',
        PRICES,
        '--from',
        '2019-01-02',
        '--to',
        '2024-12-07',
        '--json',
      ),
    );
    expect(out).toMatchObject({ confidence: 0.99, lookbackDays: 365, observations: 2167 });
    expect(out.days).toHaveLength(2167);
    expect(out.exceptions).toBe(out.days.filter((d) => d.exception).length);
    for (const d of out.days) expect(d.exception).toBe(-d.pnlUsd > d.varUsd);
    const c = out.christoffersen;
    expect(c.n00 + c.n01 + c.n10 + c.n11).toBe(2166);
    expect(c.lrCc).toBeCloseTo(out.kupiec.lr + c.lrInd, 10);
    const tl = out.trafficLight;
    expect(tl.exceptions).toBe(out.exceptions);
    expect(tl.zone).toBe(
      out.exceptions <= tl.greenMax ? 'green' : out.exceptions <= tl.yellowMax ? 'yellow' : 'red',
    );
  });

  it('prints the exception days and the test table', () => {
    const r = cli(
      'backtest',
      '--portfolio',
      P('btc-eth-loan'),
      '--prices',
      PRICES,
      '--from',
      '2020-01-01',
      '--to',
      '2020-12-31',
      '--lookback',
      '250',
      '--confidence',
      '0.975',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1-day 97\.5% HS VaR, 250-day lookback/);
    expect(r.stdout).toMatch(/2020-01-01\.\.2020-12-31: 366 days, \d+ exceptions/);
    expect(r.stdout).toMatch(/^2020-03-12 /m);
    expectAligned(r.stdout.slice(r.stdout.indexOf('Test '), r.stdout.indexOf('\n\nTransitions')));
    expect(r.stdout).toMatch(/Basel traffic light: (GREEN|YELLOW|RED)/);
  });
});

describe('bad input: one message on stderr, exit code 2, no stack trace', () => {
  // Broken JSON is written at run time: as a committed fixture it would fail the repository's prettier check.
  const scratch = mkdtempSync(join(tmpdir(), 'fusion-risk-cli-'));
  const notJson = join(scratch, 'not-json.json');
  writeFileSync(notJson, '{ "portfolioId": "broken", "positions": [\n');
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const loan = ['--portfolio', P('btc-eth-loan'), '--prices', PRICES];
  const cases: [string, string[], RegExp][] = [
    ['no command', [], /Usage:/],
    ['unknown command', ['risk'], /unknown command 'risk'/],
    ['unknown flag', ['var', ...loan, '--bogus', '1'], /unknown option --bogus/],
    ['missing --prices', ['var', '--portfolio', P('btc-eth-loan')], /--prices is required/],
    [
      'missing portfolio file',
      ['var', '--portfolio', P('nope'), '--prices', PRICES],
      /cannot read portfolio file .*nope\.json: no such file/,
    ],
    ['bad JSON', ['margin', '--portfolio', notJson, '--prices', PRICES], /not-json\.json is not valid JSON/],
    [
      'schema violation',
      ['var', '--portfolio', P('schema-violation'), '--prices', PRICES],
      /\/positions\/0\/amount must be >= 0/,
    ],
    ['unknown asset', ['var', '--portfolio', P('unknown-asset'), '--prices', PRICES], /unknown asset DOGE/],
    ['bad date', ['var', ...loan, '--as-of', '2024-02-30'], /--as-of '2024-02-30' is not a calendar date/],
    [
      'date outside the file',
      ['margin', ...loan, '--as-of', '2025-01-01'],
      /2025-01-01 is not in the prices file/,
    ],
    [
      'lookback too long',
      ['var', ...loan, '--lookback', '3000'],
      /lookback of 3000 days .*price history has 2533/,
    ],
    [
      'gap in the window',
      ['var', '--portfolio', P('mixed-book'), '--prices', PRICES, '--as-of', '2020-06-30'],
      /SOL has no close on 2019-07-01/,
    ],
    [
      'prices file not a CSV of closes',
      ['var', '--portfolio', P('btc-eth-loan'), '--prices', P('btc-eth-loan')],
      /first column must be 'date'/,
    ],
    ['confidence as a percentage', ['var', ...loan, '--confidence', '99'], /'99' must be a fraction/],
    [
      'backtest before the history allows',
      ['backtest', ...loan, '--from', '2019-01-01', '--to', '2019-03-01'],
      /earliest start is 2019-01-02/,
    ],
    ['backtest without --to', ['backtest', ...loan, '--from', '2020-01-01'], /--to is required/],
    [
      'an amount that would overflow the valuation (1e305 BTC)',
      ['margin', '--portfolio', P('overflowing'), '--prices', PRICES],
      /\/positions\/0\/amount must be <= 1000000000000000/,
    ],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
