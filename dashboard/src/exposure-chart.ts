import type { ExposureHistory } from '../../sdk/src/index.js';
import { h } from './dom.js';
import { formatTime, formatUsd } from './format.js';

const PALETTE = ['#1f5fa8', '#b35c00', '#6a3d9a', '#1b7f3b', '#c62828', '#00707a'];

/**
 * Net exposure per asset over the last 24 h, hour by hour. uPlot is loaded only here (a dynamic import), so
 * the desk page does not pay for it. The numbers are also in a table for screen readers and keyboards.
 */
export function exposureChart(history: ExposureHistory): HTMLElement {
  const hours = [...new Set(history.points.map((p) => p.hour))].sort();
  const assets = [...new Set(history.points.map((p) => p.asset))].sort();
  if (hours.length === 0) return h('p', {}, 'No exposure recorded in the last 24 hours.');
  const value = new Map(history.points.map((p) => [`${p.hour}|${p.asset}`, p.latestNetExposureUsd]));
  const plot = h('div', {
    class: 'plot',
    role: 'img',
    'aria-label': 'Net exposure per asset, last 24 hours',
  });
  const table = h(
    'table',
    {},
    h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col' }, 'Hour'), ...assets.map((a) => h('th', { scope: 'col' }, a))),
    ),
    h(
      'tbody',
      {},
      ...hours.map((hour) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, formatTime(hour)),
          ...assets.map((a) => {
            const v = value.get(`${hour}|${a}`);
            return h('td', { class: 'num' }, v === undefined ? '—' : formatUsd(v));
          }),
        ),
      ),
    ),
  );
  void import('./uplot-chart.js').then(({ drawLines }) =>
    drawLines(plot, {
      xs: hours.map((hour) => Date.parse(hour) / 1000),
      // The whole window, even when only a few hours have data yet.
      xRange: [
        Date.parse(hours[hours.length - 1]) / 1000 - history.windowHours * 3600,
        Date.parse(hours[hours.length - 1]) / 1000,
      ],
      series: assets.map((asset, i) => ({
        label: asset,
        colour: PALETTE[i % PALETTE.length],
        values: hours.map((hour) => value.get(`${hour}|${asset}`) ?? null),
      })),
    }),
  );
  return h(
    'figure',
    { class: 'exposure' },
    plot,
    h('figcaption', {}, 'Net exposure per asset (USD), latest value of each hour'),
    h('details', {}, h('summary', {}, 'Show the numbers'), table),
  );
}
