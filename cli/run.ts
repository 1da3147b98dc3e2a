import { readFileSync, writeFileSync } from 'fs';
import { SchemaViolation, validate } from '../shared/contracts/validation';
import { runBacktest, type BacktestResult } from '../shared/domain/risk/backtest';
import { isIsoDate } from '../shared/domain/risk/dates';
import {
  DEFAULT_RISK_PARAMS,
  HORIZON_METHODS,
  QUANTILE_METHODS,
  RiskEngine,
  type HorizonMethod,
  type QuantileMethod,
} from '../shared/domain/risk/engine';
import { RiskInputError } from '../shared/domain/risk/errors';
import { dateIndex, parseClosesCsv, rangeOf, type PriceHistory } from '../shared/domain/risk/history';
import {
  DEFAULT_MARGIN_THRESHOLDS,
  classifyHealth,
  liquidationPrices,
  valuePortfolio,
  type Position,
} from '../shared/domain/risk/margin';
import {
  UsageError,
  confidenceList,
  intList,
  oneOf,
  parseFlags,
  positiveInt,
  required,
  svgFile,
  type FlagSpec,
  type ParsedArgs,
} from './args';
import { amount, pct, price, table, usd } from './format';
import { backtestPlot } from './plots/backtest-plot';
import { checkScenarios, scenarioPnl } from './plots/scenarios';
import { varPlot } from './plots/var-plot';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE = `fusion-risk: portfolio risk from daily closes

Usage:
  fusion-risk var      --portfolio FILE --prices FILE [--as-of YYYY-MM-DD] [--lookback DAYS]
                       [--confidence 0.95,0.975,0.99] [--horizon 1,7,10,30]
                       [--horizon-method sqrt|overlapping] [--quantile linear|inverted_cdf] [--json]
                       [--plot FILE.svg]
  fusion-risk margin   --portfolio FILE --prices FILE [--as-of YYYY-MM-DD] [--json]
  fusion-risk backtest --portfolio FILE --prices FILE --from YYYY-MM-DD --to YYYY-MM-DD
                       [--confidence 0.99] [--lookback DAYS] [--quantile linear|inverted_cdf] [--json]
                       [--plot FILE.svg]
  fusion-risk <command> --help

Inputs:
  --portfolio  JSON {"portfolioId", "positions": [{"asset", "amount", "side": "collateral"|"borrow"}]}
  --prices     CSV date,ASSET,... of daily USD closes, dates ascending, empty cell = no quote
  --as-of      last close used (default: the last date in the prices file)

Exit codes: 0 done, 2 bad input (message on stderr), 1 internal error.
`;

const COMMAND_HELP: Record<string, string> = {
  var: `fusion-risk var: historical-simulation VaR and Expected Shortfall

  --portfolio FILE        portfolio JSON (schemas/inputs/portfolio.json)
  --prices FILE           daily closes CSV
  --as-of YYYY-MM-DD      last close used; exposures are valued at it (default: last date in the CSV)
  --lookback DAYS         number of daily returns (scenarios), default ${DEFAULT_RISK_PARAMS.lookbackDays}
  --confidence LIST       default ${DEFAULT_RISK_PARAMS.confidences.join(',')}
  --horizon LIST          days, default ${DEFAULT_RISK_PARAMS.horizons.join(',')}
  --horizon-method M      sqrt (1-day figures × √h, default) or overlapping (h-day returns P_t/P_{t−h} − 1)
  --quantile M            linear (numpy default, type 7) or inverted_cdf (order statistic ⌈n·p⌉)
  --json                  machine-readable output; every figure carries the inputs used
  --plot FILE.svg         also write the P&L scenario histogram of the first --horizon with VaR and ES of
                          the first --confidence marked (SVG; the directory must exist)
`,
  margin: `fusion-risk margin: valuation, health score and state, liquidation prices

  --portfolio FILE        portfolio JSON
  --prices FILE           daily closes CSV
  --as-of YYYY-MM-DD      closes used (default: last date in the CSV)
  --json                  machine-readable output

Health score = (collateral − borrow) / borrow × 100; WARNING < ${DEFAULT_MARGIN_THRESHOLDS.warning}, MARGIN_CALL < ${DEFAULT_MARGIN_THRESHOLDS.marginCall}, LIQUIDATION < ${DEFAULT_MARGIN_THRESHOLDS.liquidation}.
Liquidation price: the price of one collateral asset, others held, at which the score reaches ${DEFAULT_MARGIN_THRESHOLDS.liquidation}.
`,
  backtest: `fusion-risk backtest: 1-day VaR backtest of the portfolio held at constant amounts

  --portfolio FILE        portfolio JSON
  --prices FILE           daily closes CSV
  --from YYYY-MM-DD       first day tested (VaR from closes up to the day before)
  --to YYYY-MM-DD         last day tested
  --confidence C          default 0.99
  --lookback DAYS         default ${DEFAULT_RISK_PARAMS.lookbackDays}
  --quantile M            linear (default) or inverted_cdf
  --json                  machine-readable output with every day
  --plot FILE.svg         also write daily P&L against −VaR with every exception marked (SVG)

Reports exceptions (loss > VaR), Kupiec POF, Christoffersen independence and conditional coverage, and the
Basel traffic light from the binomial CDF with the actual number of days.
`,
};

const COMMON = ['portfolio', 'prices', 'as-of'];
const SPECS: Record<string, FlagSpec> = {
  var: {
    values: [...COMMON, 'lookback', 'confidence', 'horizon', 'horizon-method', 'quantile', 'plot'],
    switches: ['json', 'help'],
  },
  margin: { values: COMMON, switches: ['json', 'help'] },
  backtest: {
    values: ['portfolio', 'prices', 'from', 'to', 'confidence', 'lookback', 'quantile', 'plot'],
    switches: ['json', 'help'],
  },
};

interface Portfolio {
  portfolioId: string;
  positions: Position[];
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? String(e));
    throw new UsageError(`cannot read ${what} file ${file}: ${why}`);
  }
}

function loadPortfolio(file: string): Portfolio {
  const text = readText(file, 'portfolio');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`portfolio file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return validate('inputs/portfolio', json);
  } catch (e) {
    if (e instanceof SchemaViolation) {
      throw new UsageError(
        `portfolio file ${file} does not match schemas/inputs/portfolio.json: ${e.problems.join('; ')}`,
      );
    }
    throw e;
  }
}

function loadPrices(file: string): PriceHistory {
  const text = readText(file, 'prices');
  try {
    return parseClosesCsv(text);
  } catch (e) {
    if (e instanceof RiskInputError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
}

function dateFlag(raw: string, name: string, history: PriceHistory): string {
  if (!isIsoDate(raw)) throw new UsageError(`--${name} '${raw}' is not a calendar date YYYY-MM-DD`);
  if (dateIndex(history, raw) < 0) {
    throw new UsageError(`--${name} ${raw} is not in the prices file (${rangeOf(history)})`);
  }
  return raw;
}

/** Closes on `asOf` of every asset the portfolio names; unknown or unquoted assets are input errors. */
function closesFor(portfolio: Portfolio, history: PriceHistory, asOf: string): Record<string, number> {
  const i = dateIndex(history, asOf);
  const out: Record<string, number> = {};
  const known = Object.keys(history.series);
  for (const { asset } of portfolio.positions) {
    if (!Object.prototype.hasOwnProperty.call(history.series, asset)) {
      throw new UsageError(`unknown asset ${asset}: the prices file has ${known.join(', ')}`);
    }
    const v = history.series[asset][i];
    if (v === null || v === undefined) throw new UsageError(`asset ${asset} has no close on ${asOf}`);
    out[asset] = v;
  }
  return out;
}

interface Loaded {
  portfolio: Portfolio;
  history: PriceHistory;
  pricesFile: string;
}

function load(args: ParsedArgs): Loaded {
  const portfolioFile = required(args, 'portfolio');
  const pricesFile = required(args, 'prices');
  const portfolio = loadPortfolio(portfolioFile);
  const history = loadPrices(pricesFile);
  return { portfolio, history, pricesFile };
}

function asOfOf(args: ParsedArgs, history: PriceHistory): string {
  const raw = args.values.get('as-of');
  return raw === undefined ? history.dates[history.dates.length - 1] : dateFlag(raw, 'as-of', history);
}

function runVar(args: ParsedArgs, io: CliIo): void {
  const lookbackDays = positiveInt(
    args.values.get('lookback') ?? String(DEFAULT_RISK_PARAMS.lookbackDays),
    'lookback',
  );
  const confidences = args.values.has('confidence')
    ? confidenceList(args.values.get('confidence') as string, 'confidence')
    : DEFAULT_RISK_PARAMS.confidences;
  const horizons = args.values.has('horizon')
    ? intList(args.values.get('horizon') as string, 'horizon')
    : DEFAULT_RISK_PARAMS.horizons;
  const horizonMethod: HorizonMethod = oneOf(
    args.values.get('horizon-method') ?? DEFAULT_RISK_PARAMS.horizonMethod,
    HORIZON_METHODS,
    'horizon-method',
  );
  const quantileMethod: QuantileMethod = oneOf(
    args.values.get('quantile') ?? DEFAULT_RISK_PARAMS.quantileMethod,
    QUANTILE_METHODS,
    'quantile',
  );
  const plotFile = plotFlag(args);
  const { portfolio, history, pricesFile } = load(args);
  const asOf = asOfOf(args, history);
  const valuation = valuePortfolio(portfolio.positions, closesFor(portfolio, history, asOf));
  const engine = new RiskEngine(
    history,
    { lookbackDays, confidences, horizons, horizonMethod, quantileMethod },
    asOf,
  );
  const figures = engine.evaluate(valuation.exposures);
  const netUsd = valuation.collateralUsd - valuation.borrowUsd;
  if (plotFile !== undefined) {
    // The plot shows the first confidence and horizon asked: the first row of the table.
    const figure = figures.find((f) => f.confidence === confidences[0] && f.horizonDays === horizons[0]);
    if (figure === undefined) throw new Error('no VaR figure for the plotted confidence and horizon');
    const scenarios = scenarioPnl(history, valuation.exposures, {
      asOf,
      lookbackDays,
      horizonDays: figure.horizonDays,
      horizonMethod,
      returnDates: engine.scenarioDates(figure.horizonDays),
    });
    checkScenarios(scenarios, figure, quantileMethod);
    writePlot(
      plotFile,
      varPlot({
        portfolioId: portfolio.portfolioId,
        asOf,
        windowStart: engine.windowStart,
        lookbackDays,
        quantileMethod,
        horizonMethod,
        figure,
        scenarios,
      }),
    );
  }

  if (args.switches.has('json')) {
    const inputs = { asOf, lookbackDays, quantileMethod, horizonMethod };
    writeJson(io, {
      command: 'var',
      portfolioId: portfolio.portfolioId,
      pricesFile,
      asOf,
      lookbackDays,
      scenarios: engine.scenarioCount,
      windowStart: engine.windowStart,
      windowEnd: engine.historyEnd,
      quantileMethod,
      horizonMethod,
      collateralUsd: valuation.collateralUsd,
      borrowUsd: valuation.borrowUsd,
      netUsd,
      exposures: valuation.exposures,
      figures: figures.map((f) => ({ ...inputs, ...f })),
      ...(plotFile === undefined ? {} : { plotFile }),
    });
    return;
  }
  io.stdout(
    `Portfolio ${portfolio.portfolioId}, closes of ${asOf} from ${pricesFile}\n` +
      `Historical simulation: ${engine.scenarioCount} daily returns ${engine.windowStart}..${engine.historyEnd}, ` +
      `quantile ${quantileMethod}, horizon ${horizonMethod === 'sqrt' ? 'sqrt (1-day × √h)' : 'overlapping h-day returns'}\n` +
      `Net value ${usd(netUsd)} USD (collateral ${usd(valuation.collateralUsd)}, borrow ${usd(valuation.borrowUsd)})\n\n`,
  );
  io.stdout(
    table(
      ['Confidence', 'Horizon', 'VaR (USD)', 'ES (USD)', 'VaR / net'],
      figures.map((f) => [
        pct(f.confidence, 1),
        `${f.horizonDays}d`,
        usd(f.varUsd),
        usd(f.esUsd),
        netUsd > 0 ? pct(f.varUsd / netUsd) : '-',
      ]),
    ),
  );
  writePlotLine(io, plotFile);
}

function runMargin(args: ParsedArgs, io: CliIo): void {
  const { portfolio, history, pricesFile } = load(args);
  const asOf = asOfOf(args, history);
  const prices = closesFor(portfolio, history, asOf);
  const valuation = valuePortfolio(portfolio.positions, prices);
  const state = classifyHealth(valuation.healthScore);
  // changeFraction negative: the asset must fall this much; positive: rise (a borrow, or a net short).
  const liq = liquidationPrices(portfolio.positions, prices);

  if (args.switches.has('json')) {
    writeJson(io, {
      command: 'margin',
      portfolioId: portfolio.portfolioId,
      pricesFile,
      asOf,
      thresholds: DEFAULT_MARGIN_THRESHOLDS,
      collateralUsd: valuation.collateralUsd,
      borrowUsd: valuation.borrowUsd,
      healthScore: valuation.healthScore,
      state,
      exposures: valuation.exposures,
      liquidationPrices: liq,
    });
    return;
  }
  io.stdout(`Portfolio ${portfolio.portfolioId}, closes of ${asOf} from ${pricesFile}\n\n`);
  io.stdout(
    table(
      ['Asset', 'Price (USD)', 'Net amount', 'Net USD'],
      valuation.exposures.map((e) => [e.asset, price(e.priceUsd), amount(e.netAmount), usd(e.netUsd)]),
    ),
  );
  const t = DEFAULT_MARGIN_THRESHOLDS;
  const money = [usd(valuation.collateralUsd), usd(valuation.borrowUsd)];
  const w = Math.max(...money.map((m) => m.length));
  io.stdout(
    `\nCollateral    ${money[0].padStart(w)} USD\n` +
      `Borrow        ${money[1].padStart(w)} USD\n` +
      `Health score  ${valuation.healthScore === null ? 'n/a (nothing borrowed)' : valuation.healthScore.toFixed(2)}\n` +
      `State         ${state}  (warning < ${t.warning}, margin call < ${t.marginCall}, liquidation < ${t.liquidation})\n\n`,
  );
  io.stdout(
    table(
      ['Position', 'Side', 'Price (USD)', 'Liquidation price', 'Change'],
      liq.map((l) => [
        l.asset,
        l.side,
        price(l.currentPriceUsd),
        l.priceUsd === null ? 'none' : price(l.priceUsd),
        l.changeFraction === null ? '-' : `${l.changeFraction > 0 ? '+' : ''}${pct(l.changeFraction)}`,
      ]),
    ),
  );
}

function runBacktestCommand(args: ParsedArgs, io: CliIo): void {
  const confidenceRaw = args.values.get('confidence') ?? '0.99';
  const confidences = confidenceList(confidenceRaw, 'confidence');
  if (confidences.length !== 1) throw new UsageError('--confidence takes one level for a backtest');
  const lookbackDays = positiveInt(
    args.values.get('lookback') ?? String(DEFAULT_RISK_PARAMS.lookbackDays),
    'lookback',
  );
  const quantileMethod: QuantileMethod = oneOf(
    args.values.get('quantile') ?? 'linear',
    QUANTILE_METHODS,
    'quantile',
  );
  const fromRaw = required(args, 'from');
  const toRaw = required(args, 'to');
  const plotFile = plotFlag(args);
  const { portfolio, history, pricesFile } = load(args);
  const from = dateFlag(fromRaw, 'from', history);
  const to = dateFlag(toRaw, 'to', history);
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  for (const { asset } of portfolio.positions) {
    if (!Object.prototype.hasOwnProperty.call(history.series, asset)) {
      throw new UsageError(
        `unknown asset ${asset}: the prices file has ${Object.keys(history.series).join(', ')}`,
      );
    }
  }
  const r = runBacktest(history, portfolio.positions, from, to, {
    lookbackDays,
    confidence: confidences[0],
    quantileMethod,
  });
  if (plotFile !== undefined) writePlot(plotFile, backtestPlot(portfolio.portfolioId, r));
  if (args.switches.has('json')) {
    writeJson(io, {
      command: 'backtest',
      portfolioId: portfolio.portfolioId,
      pricesFile,
      horizonDays: 1,
      ...r,
      ...(plotFile === undefined ? {} : { plotFile }),
    });
    return;
  }
  writeBacktest(io, portfolio.portfolioId, pricesFile, r);
  writePlotLine(io, plotFile);
}

function writeBacktest(io: CliIo, portfolioId: string, pricesFile: string, r: BacktestResult): void {
  const rate = r.observations > 0 ? r.exceptions / r.observations : 0;
  io.stdout(
    `Portfolio ${portfolioId}, closes from ${pricesFile}\n` +
      `1-day ${pct(r.confidence, 1)} HS VaR, ${r.lookbackDays}-day lookback, quantile ${r.quantileMethod}; ` +
      `portfolio held at constant amounts\n` +
      `${r.from}..${r.to}: ${r.observations} days, ${r.exceptions} exceptions ` +
      `(expected ${r.expectedExceptions.toFixed(2)}; rate ${pct(rate)})\n\n`,
  );
  const hits = r.days.filter((d) => d.exception);
  if (hits.length > 0) {
    io.stdout('Exceptions (loss > VaR)\n');
    io.stdout(
      table(
        ['Date', 'VaR (USD)', 'P&L (USD)'],
        hits.map((d) => [d.date, usd(d.varUsd), usd(d.pnlUsd)]),
      ),
    );
    io.stdout('\n');
  }
  const verdict = (reject: boolean) => (reject ? 'reject at 5%' : 'accept');
  const c = r.christoffersen;
  io.stdout(
    table(
      ['Test', 'LR', 'p-value', 'Result'],
      [
        ['Kupiec POF (χ²₁)', r.kupiec.lr.toFixed(4), r.kupiec.pValue.toFixed(4), verdict(r.kupiec.reject)],
        [
          'Christoffersen independence (χ²₁)',
          c.lrInd.toFixed(4),
          c.pValueInd.toFixed(4),
          verdict(c.rejectInd),
        ],
        [
          'Christoffersen conditional coverage (χ²₂)',
          c.lrCc.toFixed(4),
          c.pValueCc.toFixed(4),
          verdict(c.rejectCc),
        ],
      ],
    ),
  );
  const tl = r.trafficLight;
  io.stdout(
    `\nTransitions n00 ${c.n00}, n01 ${c.n01}, n10 ${c.n10}, n11 ${c.n11}\n` +
      `Basel traffic light: ${tl.zone.toUpperCase()}  (${tl.exceptions} exceptions in ${tl.observations} days; ` +
      `binomial F = ${tl.cumulativeProbability.toFixed(5)}; green ≤ ${tl.greenMax}, yellow ≤ ${tl.yellowMax} at this length)\n`,
  );
}

function plotFlag(args: ParsedArgs): string | undefined {
  const raw = args.values.get('plot');
  return raw === undefined ? undefined : svgFile(raw, 'plot');
}

/** Written before anything is printed: a plot that cannot be written leaves stdout empty (exit 2). */
function writePlot(file: string, svg: string): void {
  try {
    writeFileSync(file, svg, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot write plot file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

function writePlotLine(io: CliIo, plotFile: string | undefined): void {
  if (plotFile !== undefined) io.stdout(`\nPlot written to ${plotFile}\n`);
}

function writeJson(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2) + '\n');
}

const COMMANDS: Record<string, (args: ParsedArgs, io: CliIo) => void> = {
  var: runVar,
  margin: runMargin,
  backtest: runBacktestCommand,
};

/** Runs one command; returns the process exit code. Never throws. */
export function runCli(argv: string[], io: CliIo): number {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr(USAGE);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr(`fusion-risk: unknown command '${command}' (var, margin, backtest; see fusion-risk --help)\n`);
    return 2;
  }
  try {
    const args = parseFlags(rest, SPECS[command]);
    if (args.switches.has('help')) {
      io.stdout(COMMAND_HELP[command]);
      return 0;
    }
    run(args, io);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof RiskInputError) {
      io.stderr(`fusion-risk ${command}: ${e.message}\n`);
      return 2;
    }
    // A bug, not bad input: still one line, no stack trace for the analyst.
    io.stderr(`fusion-risk ${command}: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
