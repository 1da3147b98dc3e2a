import type { FeedAlert } from '../../sdk/src/index.js';
import { alertText } from './alert-text.js';
import { h } from './dom.js';
import { formatTime } from './format.js';
import { portfolioHref } from './router.js';
import { severityBadge } from './state-badge.js';

const KEPT = 200;

/**
 * The live alerts, newest first. The SDK delivers each alert once; an id shown once is still never shown
 * again (the count of such drops is kept in data-duplicates-dropped, which the browser tests read).
 */
export class AlertsPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly empty: HTMLElement;
  private readonly seen = new Set<string>();
  private duplicates = 0;

  constructor() {
    this.list = h('ol', {
      class: 'alerts',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
      'data-duplicates-dropped': 0,
    });
    this.empty = h('p', { class: 'note' }, 'No alerts yet.');
    this.element = h(
      'section',
      { class: 'tile', 'aria-labelledby': 'alerts-title', id: 'alerts-panel' },
      h('h2', { id: 'alerts-title' }, 'Live alerts'),
      this.empty,
      this.list,
    );
  }

  reset(): void {
    this.seen.clear();
    this.duplicates = 0;
    this.list.dataset.duplicatesDropped = '0';
    this.list.replaceChildren();
    this.empty.hidden = false;
  }

  add(alert: FeedAlert): void {
    if (this.seen.has(alert.alertId)) {
      this.list.dataset.duplicatesDropped = String(++this.duplicates);
      return;
    }
    this.seen.add(alert.alertId);
    this.empty.hidden = true;
    const item = h(
      'li',
      { 'data-alert-id': alert.alertId, 'data-severity': alert.severity },
      severityBadge(alert.severity),
      ' ',
      h('span', { class: 'subject' }, alertText(alert)),
      h(
        'span',
        { class: 'meta' },
        `${alert.kind} · `,
        h('time', { datetime: alert.recordedAt }, formatTime(alert.recordedAt)),
        alert.portfolioId ? ' · ' : null,
        alert.portfolioId ? h('a', { href: portfolioHref(alert.portfolioId) }, alert.portfolioId) : null,
      ),
    );
    this.list.prepend(item);
    while (this.list.children.length > KEPT) this.list.lastElementChild?.remove();
  }
}
