import type { HorizonMethod, QuantileMethod, RiskFigure } from '../../shared/domain/risk/engine';
import { pct, usd } from '../format';
import {
  FRAME,
  HEIGHT,
  WIDTH,
  el,
  fmt,
  legend,
  line,
  linearScale,
  niceTicks,
  rect,
  svgDocument,
  text,
  usdTickLabel,
  xAxis,
  yAxis,
} from './svg';

export interface VarPlotInput {
  portfolioId: string;
  asOf: string;
  windowStart: string;
  lookbackDays: number;
  quantileMethod: QuantileMethod;
  horizonMethod: HorizonMethod;
  /** The figure marked on the plot (its confidence and horizon). */
  figure: RiskFigure;
  /** Simulated P&L of that horizon, one per scenario (see scenarioPnl). */
  scenarios: number[];
}

const BAR = '#88aacc';
const VAR = '#cc3311';
const ES = '#882255';

export interface Bin {
  from: number;
  to: number;
  count: number;
}

/** √n equal-width bins (10 to 40) from the lowest to the highest scenario; the last bin includes its end. */
export function histogram(values: number[]): Bin[] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const k = Math.min(40, Math.max(10, Math.ceil(Math.sqrt(values.length))));
  const w = (hi - lo) / k;
  const bins: Bin[] = Array.from({ length: k }, (_, i) => ({
    from: lo + i * w,
    to: i === k - 1 ? hi : lo + (i + 1) * w,
    count: 0,
  }));
  for (const v of values) bins[Math.min(k - 1, Math.floor((v - lo) / w))].count++;
  return bins;
}

function horizonText(h: number, method: HorizonMethod): string {
  if (h === 1) return '1-day returns';
  return method === 'sqrt' ? `1-day returns × √${h}` : `overlapping ${h}-day returns`;
}

/** Histogram of the scenario P&L with vertical markers at −VaR and −ES. */
export function varPlot(input: VarPlotInput): string {
  const { figure, scenarios } = input;
  const h = figure.horizonDays;
  const level = pct(figure.confidence, 1);
  const bins = histogram(scenarios);
  const f = FRAME;
  const xr = niceTicks(
    Math.min(bins[0].from, -figure.esUsd, -figure.varUsd),
    Math.max(bins[bins.length - 1].to, -figure.esUsd, -figure.varUsd),
    10,
  );
  const yr = niceTicks(0, Math.max(...bins.map((b) => b.count)), 6, true);
  const xs = linearScale(xr.min, xr.max, f.left, f.left + f.width);
  const ys = linearScale(yr.min, yr.max, f.top + f.height, f.top);

  const bars = bins.map((b) => {
    const x0 = xs(b.from);
    const x1 = xs(b.to);
    return rect(x0 + 0.5, ys(b.count), Math.max(0, x1 - x0 - 1), ys(0) - ys(b.count), {
      class: 'bin',
      'data-from-usd': fmt(b.from),
      'data-to-usd': fmt(b.to),
      'data-count': b.count,
      fill: BAR,
    });
  });

  // The ES line is left of the VaR line: its label goes left of it, VaR's right, when the plot has room.
  const marker = (kind: 'var' | 'es', valueUsd: number, color: string, row: number, dash?: string) => {
    const x = xs(-valueUsd);
    const label = `${kind === 'var' ? 'VaR' : 'ES'} ${level}: ${usd(valueUsd)} USD`;
    const width = [...label].length * 7.2;
    const roomRight = x + 6 + width < f.left + f.width;
    const roomLeft = x - 6 - width > f.left;
    const right = kind === 'var' ? roomRight || !roomLeft : !roomLeft;
    return el('g', { class: `marker ${kind}-marker-group` }, [
      line(x, f.top, x, f.top + f.height, {
        class: `${kind}-marker`,
        'data-usd': fmt(-valueUsd),
        stroke: color,
        'stroke-width': 2,
        'stroke-dasharray': dash,
      }),
      text(label, {
        class: `${kind}-label`,
        x: right ? x + 6 : x - 6,
        y: f.top + 16 + row * 18,
        'text-anchor': right ? 'start' : 'end',
        'font-size': 12,
        'font-weight': 'bold',
        fill: color,
        stroke: '#ffffff',
        'stroke-width': 3,
        'paint-order': 'stroke',
      }),
    ]);
  };

  const binWidth = bins[0].to - bins[0].from;
  const title = `${input.portfolioId}: ${level} ${h}-day VaR and ES, ${input.lookbackDays}-day lookback`;
  const subtitle =
    `Historical simulation: ${scenarios.length} scenarios from ${input.windowStart}..${input.asOf}, ` +
    `${horizonText(h, input.horizonMethod)}, quantile ${input.quantileMethod}; P&L distribution per scenario`;
  const desc =
    `Histogram of the ${scenarios.length} simulated ${h}-day P&L values of portfolio ${input.portfolioId} in USD, ` +
    `${bins.length} bins of ${usd(binWidth)} USD from ${usd(bins[0].from)} to ${usd(bins[bins.length - 1].to)}. ` +
    `Vertical lines mark minus the ${level} VaR at ${usd(-figure.varUsd)} USD and minus the ${level} ` +
    `Expected Shortfall at ${usd(-figure.esUsd)} USD; scenarios left of them are the tail losses.`;

  return svgDocument({
    width: WIDTH,
    height: HEIGHT,
    title,
    subtitle,
    desc,
    body: [
      legend(
        [
          { label: `Scenarios per ${usd(binWidth)} USD bin`, swatch: 'box', color: BAR },
          { label: `−VaR ${level} (${h}-day)`, swatch: 'line', color: VAR },
          { label: `−ES ${level} (${h}-day)`, swatch: 'line', color: ES, dash: '6 3' },
        ],
        f.left,
        64,
      ),
      yAxis(
        f,
        ys,
        yr.ticks.map((v) => ({ value: v, label: String(v) })),
        'Scenarios (count)',
      ),
      el('g', { class: 'histogram' }, bars),
      xAxis(
        f,
        xs,
        xr.ticks.map((v) => ({ value: v, label: usdTickLabel(v, xr.step) })),
        `${h}-day P&L per scenario (USD)`,
      ),
      marker('var', figure.varUsd, VAR, 0),
      marker('es', figure.esUsd, ES, 1, '6 3'),
    ],
  });
}
