import type { BacktestResult } from '../../shared/domain/risk/backtest';
import { dayNumber } from '../../shared/domain/risk/dates';
import { pct, usd } from '../format';
import {
  FRAME,
  HEIGHT,
  WIDTH,
  circle,
  dateTicks,
  el,
  fmt,
  legend,
  line,
  linearScale,
  niceTicks,
  polyline,
  svgDocument,
  usdTickLabel,
  xAxis,
  yAxis,
} from './svg';

const PNL = '#4477aa';
const VAR = '#cc3311';
const EXCEPTION = '#ee7733';

function day(date: string): number {
  const d = dayNumber(date);
  if (d === null) throw new Error(`backtest day ${date} is not a calendar date`);
  return d;
}

/** Daily P&L against −VaR over the backtest, one marker (with `data-date`) per exception. */
export function backtestPlot(portfolioId: string, r: BacktestResult): string {
  const f = FRAME;
  const level = pct(r.confidence, 1);
  const days = r.days;
  const x0 = days.length > 0 ? day(days[0].date) : day(r.from);
  const x1 = days.length > 0 ? day(days[days.length - 1].date) : day(r.to);
  const values = days.flatMap((d) => [d.pnlUsd, -d.varUsd]);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  // A little headroom so the extreme day's marker is not drawn on the axis.
  const yr = niceTicks(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo), 8);
  const xs = linearScale(x0, x1, f.left, f.left + f.width);
  const ys = linearScale(yr.min, yr.max, f.top + f.height, f.top);
  const point = (date: string, usdValue: number): [number, number] => [xs(day(date)), ys(usdValue)];
  const hits = days.filter((d) => d.exception);
  const zone = r.trafficLight.zone.toUpperCase();

  const title =
    `${portfolioId}: 1-day ${level} VaR backtest, ${r.exceptions} exceptions in ${r.observations} days, ` +
    `traffic light ${zone}`;
  const subtitle =
    `${r.from}..${r.to}; historical simulation, ${r.lookbackDays}-day lookback ending the day before, ` +
    `quantile ${r.quantileMethod}; amounts held constant; expected ${r.expectedExceptions.toFixed(2)} exceptions`;
  const desc =
    `Daily P&L in USD of portfolio ${portfolioId} from ${r.from} to ${r.to} (line) against minus the 1-day ` +
    `${level} VaR of each day (the loss threshold). ${r.exceptions} of ${r.observations} days lost more than ` +
    `VaR (expected ${r.expectedExceptions.toFixed(2)}); Basel traffic light ${zone}.` +
    (hits.length > 0 ? ` Exceptions: ${hits.map((d) => d.date).join(', ')}.` : '');

  return svgDocument({
    width: WIDTH,
    height: HEIGHT,
    title,
    subtitle,
    desc,
    body: [
      legend(
        [
          { label: 'Daily P&L (USD)', swatch: 'line', color: PNL },
          { label: `−VaR ${level}, 1-day (loss threshold)`, swatch: 'line', color: VAR },
          { label: `Exception: loss > VaR (${r.exceptions})`, swatch: 'marker', color: EXCEPTION },
        ],
        f.left,
        64,
      ),
      yAxis(
        f,
        ys,
        yr.ticks.map((v) => ({ value: v, label: usdTickLabel(v, yr.step) })),
        'P&L (USD)',
      ),
      xAxis(f, xs, dateTicks(x0, x1), 'Date (daily closes)'),
      line(f.left, ys(0), f.left + f.width, ys(0), { class: 'zero-line', stroke: '#888888' }),
      polyline(
        days.map((d) => point(d.date, d.pnlUsd)),
        { class: 'pnl-line', stroke: PNL, 'stroke-width': 1, 'stroke-linejoin': 'round' },
      ),
      polyline(
        days.map((d) => point(d.date, -d.varUsd)),
        { class: 'var-line', stroke: VAR, 'stroke-width': 1.5, 'stroke-linejoin': 'round' },
      ),
      el(
        'g',
        { class: 'exceptions' },
        hits.map((d) => {
          const [cx, cy] = point(d.date, d.pnlUsd);
          return circle(
            cx,
            cy,
            4,
            {
              class: 'exception',
              'data-date': d.date,
              'data-pnl-usd': fmt(d.pnlUsd),
              'data-var-usd': fmt(d.varUsd),
              fill: EXCEPTION,
              stroke: '#000000',
              'stroke-width': 0.75,
            },
            `${d.date}: P&L ${usd(d.pnlUsd)} USD, VaR ${usd(d.varUsd)} USD`,
          );
        }),
      ),
    ],
  });
}
