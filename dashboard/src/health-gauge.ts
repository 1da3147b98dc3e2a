import type { MarginHealth } from '../../sdk/src/index.js';
import { h, svg } from './dom.js';
import {
  formatScore,
  gaugeZones,
  GAUGE_MAX,
  heldUntil,
  needleValue,
  STATE_COLOURS,
  zoneOf,
  zoneRange,
} from './health-display.js';
import { stateBadge } from './state-badge.js';

const CX = 110;
const CY = 122;
const R = 85;
const WIDTH = 26;

/** The dial runs from 0 on the left to 100 on the right, over the top. */
function point(value: number, radius: number): [number, number] {
  const angle = Math.PI * (1 - value / GAUGE_MAX);
  return [CX + radius * Math.cos(angle), CY - radius * Math.sin(angle)];
}

function arc(from: number, to: number): string {
  const [x1, y1] = point(from, R);
  const [x2, y2] = point(to, R);
  return `M ${x1.toFixed(2)} ${y1.toFixed(2)} A ${R} ${R} 0 0 1 ${x2.toFixed(2)} ${y2.toFixed(2)}`;
}

/** The 0–100 health gauge: zones from the view's thresholds, needle at the score, label from the state. */
export function healthGauge(health: MarginHealth): HTMLElement {
  const { score, state, thresholds, recoveryBand } = health;
  const zones = gaugeZones(thresholds);
  const zone = zoneOf(score, thresholds);
  const needle = needleValue(score);
  const held = heldUntil(state, score, thresholds, recoveryBand);
  const shown = formatScore(score);
  const dial = svg(
    'svg',
    {
      viewBox: '0 0 220 140',
      width: 220,
      height: 140,
      role: 'img',
      'aria-label': `Health score ${shown}, state ${state}${zone ? `, in the ${zone} zone` : ''}`,
    },
    ...zones.map((z) =>
      svg(
        'path',
        {
          d: arc(z.from, z.to),
          fill: 'none',
          stroke: STATE_COLOURS[z.state].background,
          'stroke-width': WIDTH,
          'data-zone': z.state,
        },
        svg('title', {}, `${z.state}: ${zoneRange(z.state, thresholds)}`),
      ),
    ),
    ...[thresholds.liquidation, thresholds.marginCall, thresholds.warning]
      .filter((t) => t >= 0 && t <= GAUGE_MAX)
      .map((t) => {
        const [x, y] = point(t, R + WIDTH / 2 + 8);
        return svg('text', { x: x.toFixed(1), y: y.toFixed(1), class: 'tick', 'text-anchor': 'middle' }, t);
      }),
    needle === null
      ? null
      : (() => {
          const [x, y] = point(needle, R + WIDTH / 2);
          return svg('line', {
            x1: CX,
            y1: CY,
            x2: x.toFixed(2),
            y2: y.toFixed(2),
            class: 'needle',
            'data-needle': needle,
          });
        })(),
    svg('circle', { cx: CX, cy: CY, r: 6, class: 'hub' }),
  );
  return h(
    'figure',
    { class: 'gauge', 'data-zone': zone ?? 'NONE', 'data-state': state },
    dial,
    h(
      'figcaption',
      {},
      h('span', { class: 'score', 'data-score': score === null ? 'null' : score }, shown),
      ' ',
      stateBadge(state),
      h(
        'span',
        { class: 'zone-text' },
        zone === null
          ? 'Nothing borrowed: the portfolio cannot be liquidated.'
          : `Score in the ${zone} zone (${zoneRange(zone, thresholds)}).`,
      ),
      held === null
        ? null
        : h(
            'span',
            { class: 'held' },
            `Held in ${state} by hysteresis until the score reaches ${held} (recovery band ${recoveryBand} points).`,
          ),
    ),
  );
}
