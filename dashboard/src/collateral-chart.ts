import type { Exposure } from '../../sdk/src/index.js';
import { h, svg } from './dom.js';
import { formatUsd } from './format.js';

const BAR_HEIGHT = 22;
const LABEL_WIDTH = 70;
const VALUE_WIDTH = 110;
const WIDTH = 420;

/** Collateral by asset in USD (units held × price), largest first, as labelled horizontal bars. */
export function collateralChart(exposures: Exposure[]): HTMLElement {
  const rows = exposures
    .map((e) => ({ asset: e.asset, usd: e.collateralAmount * e.priceUsd }))
    .filter((r) => r.usd > 0)
    .sort((a, b) => b.usd - a.usd);
  if (rows.length === 0) return h('p', {}, 'No collateral.');
  const max = rows[0].usd;
  const span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = rows.length * (BAR_HEIGHT + 8);
  return h(
    'figure',
    { class: 'bars' },
    svg(
      'svg',
      {
        viewBox: `0 0 ${WIDTH} ${height}`,
        width: WIDTH,
        height,
        role: 'img',
        'aria-label': `Collateral by asset: ${rows.map((r) => `${r.asset} ${formatUsd(r.usd)}`).join(', ')}`,
      },
      ...rows.flatMap((r, i) => {
        const y = i * (BAR_HEIGHT + 8);
        const w = Math.max(1, (r.usd / max) * span);
        return [
          svg('text', { x: 0, y: y + 16, class: 'bar-label' }, r.asset),
          svg('rect', { x: LABEL_WIDTH, y, width: w.toFixed(1), height: BAR_HEIGHT, class: 'bar' }),
          svg('text', { x: LABEL_WIDTH + w + 6, y: y + 16, class: 'bar-value' }, formatUsd(r.usd)),
        ];
      }),
    ),
    h('figcaption', {}, 'Collateral by asset (USD at the valuation price)'),
  );
}
