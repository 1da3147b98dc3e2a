import { h } from './dom.js';
import { formatAge, formatTime } from './format.js';
import { isStale } from './health-display.js';

/**
 * A tile's "as of" line. The age and the stale badge are refreshed by refreshAsOf() on a timer, so a tile
 * that stops updating shows it.
 */
export function asOf(iso: string | null): HTMLElement {
  if (iso === null) return h('p', { class: 'as-of' }, 'No data yet');
  return h(
    'p',
    { class: 'as-of', 'data-as-of': iso },
    'As of ',
    h('time', { datetime: iso }, formatTime(iso)),
    ' ',
    h('span', { class: 'age' }),
    h('span', { class: 'stale-badge', hidden: true }, 'Stale'),
  );
}

export function refreshAsOf(root: ParentNode, nowMs: number, staleAfterMs: number): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-as-of]')) {
    const iso = el.dataset.asOf ?? null;
    const stale = isStale(iso, nowMs, staleAfterMs);
    el.classList.toggle('stale', stale);
    const age = el.querySelector('.age');
    if (age && iso) age.textContent = `(${formatAge(iso, nowMs)})`;
    const badge = el.querySelector<HTMLElement>('.stale-badge');
    if (badge) badge.hidden = !stale;
  }
}
