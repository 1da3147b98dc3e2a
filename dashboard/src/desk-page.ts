import type { DeskOverview, DeskPortfolio, HealthState, RiskClient } from '../../sdk/src/index.js';
import { asOf } from './as-of.js';
import { h } from './dom.js';
import { formatFraction, formatTime, formatUsd } from './format.js';
import { byRisk, formatScore, HEALTH_STATES } from './health-display.js';
import { portfolioHref } from './router.js';
import { stateBadge } from './state-badge.js';

const SHOCKS = [-0.05, -0.1, -0.2, -0.3, -0.5];

export interface DeskPageOptions {
  client: RiskClient;
  deskId: string;
  /** The shock chosen (undefined: the API's default). */
  shock: number | undefined;
  onShockChange: (shock: number) => void;
}

export async function loadDesk(o: DeskPageOptions): Promise<DeskOverview> {
  return o.client.getDeskOverview(o.deskId, o.shock === undefined ? {} : { shock: o.shock });
}

function countsTile(overview: DeskOverview): HTMLElement {
  const order: HealthState[] = [...HEALTH_STATES];
  return h(
    'section',
    { class: 'tile', 'aria-labelledby': 'counts-title' },
    h('h2', { id: 'counts-title' }, 'Portfolios by state'),
    h(
      'ul',
      { class: 'counts' },
      ...order.map((s) =>
        h('li', { 'data-count': s }, stateBadge(s), ' ', h('strong', {}, overview.counts[s])),
      ),
    ),
    asOf(overview.asOf),
  );
}

function atRiskTile(overview: DeskOverview, o: DeskPageOptions): HTMLElement {
  const { collateralAtRisk: c, shock } = overview;
  const select = h(
    'select',
    {
      id: 'shock',
      'data-key': 'shock',
      onchange: (e: Event) => o.onShockChange(Number((e.target as HTMLSelectElement).value)),
    },
    ...[...new Set([...SHOCKS, shock.fraction])]
      .sort((a, b) => b - a)
      .map((f) =>
        h(
          'option',
          { value: f, selected: f === shock.fraction },
          `${formatFraction(f)} on non-stable assets`,
        ),
      ),
  );
  return h(
    'section',
    { class: 'tile', 'aria-labelledby': 'at-risk-title' },
    h('h2', { id: 'at-risk-title' }, 'Collateral at risk'),
    h(
      'dl',
      { class: 'figures' },
      h('dt', {}, 'In margin call or liquidation'),
      h('dd', { 'data-figure': 'in-call' }, formatUsd(c.inCallUsd)),
      h('dt', {}, `Would be, under a ${formatFraction(shock.fraction)} shock`),
      h('dd', { 'data-figure': 'under-shock' }, formatUsd(c.underShockUsd)),
      h('dt', {}, 'Total collateral of the desk'),
      h('dd', {}, formatUsd(c.totalUsd)),
    ),
    h('label', { for: 'shock' }, 'Shock '),
    select,
    h('p', { class: 'note' }, `Stable assets, not shocked: ${shock.stableAssets.join(', ') || 'none'}.`),
    asOf(overview.asOf),
  );
}

function row(p: DeskPortfolio): HTMLElement {
  return h(
    'tr',
    { 'data-portfolio': p.portfolioId, 'data-state': p.state },
    h(
      'th',
      { scope: 'row' },
      h('a', { href: portfolioHref(p.portfolioId), 'data-key': `p:${p.portfolioId}` }, p.portfolioId),
    ),
    h('td', {}, stateBadge(p.state)),
    h('td', { class: 'num' }, formatScore(p.healthScore)),
    h('td', { class: 'num' }, formatScore(p.shockedHealthScore)),
    h('td', { class: 'num' }, formatUsd(p.collateralUsd)),
    h('td', { class: 'num' }, formatUsd(p.borrowUsd)),
    h('td', {}, p.atRisk === 'IN_CALL' ? 'In call' : p.atRisk === 'UNDER_SHOCK' ? 'Under shock' : '—'),
    h('td', {}, h('time', { datetime: p.asOf }, formatTime(p.asOf))),
  );
}

export function deskView(overview: DeskOverview, o: DeskPageOptions): HTMLElement {
  return h(
    'div',
    { class: 'page desk', 'data-desk': overview.deskId },
    h('h1', { tabindex: -1 }, `Desk ${overview.deskId}`),
    h('div', { class: 'tiles' }, countsTile(overview), atRiskTile(overview, o)),
    h(
      'section',
      { class: 'tile wide', 'aria-labelledby': 'portfolios-title' },
      h('h2', { id: 'portfolios-title' }, 'Portfolios, riskiest first'),
      overview.portfolios.length === 0
        ? h('p', {}, 'This desk has no portfolios.')
        : h(
            'table',
            { class: 'portfolios' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...[
                  'Portfolio',
                  'State',
                  'Health score',
                  `Score under ${formatFraction(overview.shock.fraction)}`,
                  'Collateral',
                  'Borrow',
                  'At risk',
                  'As of',
                ].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h('tbody', {}, ...[...overview.portfolios].sort(byRisk).map(row)),
          ),
      asOf(overview.asOf),
    ),
  );
}
