import type { ExposureHistory, PortfolioView, RiskClient } from '../../sdk/src/index.js';
import { asOf } from './as-of.js';
import { collateralChart } from './collateral-chart.js';
import { h } from './dom.js';
import { formatConfidence, formatLossUsd, formatPrice, formatTime, formatUsd } from './format.js';
import { healthGauge } from './health-gauge.js';
import { formatDistance } from './health-display.js';
import { exposureChart } from './exposure-chart.js';
import { deskHref } from './router.js';

export interface PortfolioData {
  view: PortfolioView;
  history: ExposureHistory;
}

export async function loadPortfolio(client: RiskClient, portfolioId: string): Promise<PortfolioData> {
  const [view, history] = await Promise.all([
    client.getPortfolio(portfolioId),
    client.getExposureHistory(portfolioId),
  ]);
  return { view, history };
}

function tile(id: string, title: string, ...body: (Node | null)[]): HTMLElement {
  const wide = id === 'collateral' || id === 'exposure' || id === 'liquidation';
  return h(
    'section',
    { class: wide ? 'tile wide' : 'tile', 'aria-labelledby': `${id}-title`, 'data-tile': id },
    h('h2', { id: `${id}-title` }, title),
    ...body,
  );
}

function th(text: string): HTMLElement {
  return h('th', { scope: 'col' }, text);
}

function healthTile(v: PortfolioView): HTMLElement {
  const t = v.health.thresholds;
  return tile(
    'health',
    'Health',
    healthGauge(v.health),
    h(
      'p',
      { class: 'note' },
      `Thresholds: warning below ${t.warning}, margin call below ${t.marginCall}, liquidation below ${t.liquidation}; ` +
        'a score equal to a threshold is in the healthier state. Score = (collateral − borrow) / borrow × 100, ' +
        'shown rounded down.',
    ),
    asOf(v.asOf),
  );
}

function collateralTile(v: PortfolioView): HTMLElement {
  return tile(
    'collateral',
    'Collateral and exposures',
    collateralChart(v.exposures),
    h(
      'dl',
      { class: 'figures' },
      h('dt', {}, 'Collateral'),
      h('dd', {}, formatUsd(v.collateralUsd)),
      h('dt', {}, 'Borrow'),
      h('dd', {}, formatUsd(v.borrowUsd)),
    ),
    h(
      'table',
      {},
      h('caption', {}, 'Exposures with the price each was valued at'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Asset', 'Held', 'Borrowed', 'Price', 'Net USD', 'Price source', 'Price as of'].map(th),
        ),
      ),
      h(
        'tbody',
        {},
        ...v.exposures.map((e) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, e.asset),
            h('td', { class: 'num' }, e.collateralAmount),
            h('td', { class: 'num' }, e.borrowAmount),
            h('td', { class: 'num' }, formatPrice(e.priceUsd)),
            h('td', { class: 'num' }, formatUsd(e.netUsd)),
            h('td', {}, [e.source, e.quality].filter(Boolean).join(', ') || '—'),
            h('td', {}, e.priceAsOf ? formatTime(e.priceAsOf) : '—'),
          ),
        ),
      ),
    ),
    asOf(v.asOf),
  );
}

function varTile(v: PortfolioView): HTMLElement {
  const r = v.risk;
  if (r === null)
    return tile(
      'var',
      'Value at risk',
      h('p', {}, 'No VaR/ES yet: it needs a full lookback of prices.'),
      asOf(v.asOf),
    );
  const figures = [...r.figures].sort((a, b) => a.horizonDays - b.horizonDays || a.confidence - b.confidence);
  return tile(
    'var',
    'Value at risk and expected shortfall',
    h(
      'table',
      {},
      h(
        'caption',
        {},
        `Historical simulation over ${r.lookbackDays} days (${r.scenarios} scenarios), quantile estimator ` +
          `${r.quantileMethod}, horizon scaling ${r.horizonMethod}. Losses in USD, rounded up.`,
      ),
      h('thead', {}, h('tr', {}, ...['Confidence', 'Horizon', 'VaR', 'ES'].map(th))),
      h(
        'tbody',
        {},
        ...figures.map((f) =>
          h(
            'tr',
            {},
            h('td', {}, formatConfidence(f.confidence)),
            h('td', {}, `${f.horizonDays} day${f.horizonDays === 1 ? '' : 's'}`),
            h('td', { class: 'num' }, formatLossUsd(f.varUsd)),
            h('td', { class: 'num' }, formatLossUsd(f.esUsd)),
          ),
        ),
      ),
    ),
    asOf(v.asOf),
  );
}

function liquidationTile(v: PortfolioView): HTMLElement {
  return tile(
    'liquidation',
    'Liquidation prices',
    v.liquidationPrices.length === 0
      ? h('p', {}, 'Nothing borrowed: no liquidation price.')
      : h(
          'table',
          {},
          h(
            'caption',
            {},
            'The price of each asset alone (others unchanged) at which the score reaches liquidation',
          ),
          h('thead', {}, h('tr', {}, ...['Asset', 'Side', 'Current', 'Liquidation', 'Distance'].map(th))),
          h(
            'tbody',
            {},
            ...v.liquidationPrices.map((l) =>
              h(
                'tr',
                { 'data-asset': l.asset },
                h('th', { scope: 'row' }, l.asset),
                h('td', {}, l.side),
                h('td', { class: 'num' }, formatPrice(l.currentPriceUsd)),
                h('td', { class: 'num' }, formatPrice(l.priceUsd)),
                h('td', {}, formatDistance(l.changeFraction, l.direction)),
              ),
            ),
          ),
        ),
    asOf(v.asOf),
  );
}

export function portfolioView({ view, history }: PortfolioData): HTMLElement {
  return h(
    'div',
    { class: 'page portfolio', 'data-portfolio': view.portfolioId },
    h('p', {}, h('a', { href: deskHref(view.deskId), 'data-key': 'back' }, `← Desk ${view.deskId}`)),
    h('h1', { tabindex: -1 }, `Portfolio ${view.portfolioId}`),
    h(
      'div',
      { class: 'tiles' },
      healthTile(view),
      varTile(view),
      liquidationTile(view),
      tile('exposure', 'Exposure, last 24 hours', exposureChart(history), asOf(history.asOf)),
      collateralTile(view),
    ),
  );
}
