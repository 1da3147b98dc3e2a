/**
 * What the browser tests run inside the page. Strings, not functions: the root tsconfig (which type-checks the
 * tests) has no DOM lib, and a string cannot capture a Node-side variable by mistake.
 */

export const setHash = (hash: string) => `location.hash = ${JSON.stringify(hash)}`;

/** [portfolioId, badge text, badge background] per row of the desk table, top to bottom. */
export const DESK_ROWS = `[...document.querySelectorAll('tr[data-portfolio]')].map((tr) => {
  const badge = tr.querySelector('.badge');
  return [tr.getAttribute('data-portfolio'), badge.textContent, getComputedStyle(badge).backgroundColor];
})`;

export const BLUR = `document.activeElement && document.activeElement.blur()`;
export const FOCUSED_HREF = `document.activeElement?.getAttribute('href') ?? ''`;
export const FOCUSED_TAG = `document.activeElement?.tagName`;
export const FOCUS_STYLE = `(() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), visible: el.matches(':focus-visible') };
})()`;

/** The alert ids of the panel, top to bottom, and the duplicates it dropped. */
export const ALERTS_PANEL = `({
  ids: [...document.querySelectorAll('#alerts-panel li[data-alert-id]')].map((li) => li.getAttribute('data-alert-id')),
  duplicates: Number(document.querySelector('#alerts-panel ol')?.getAttribute('data-duplicates-dropped') ?? 'NaN'),
})`;

export const alertsShown = (atLeast: number) =>
  `document.querySelectorAll('#alerts-panel li[data-alert-id]').length >= ${atLeast}`;

/** The portfolio's desk row shows MARGIN_CALL in its red. */
export const rowIsRed = (portfolioId: string) => `(() => {
  const badge = document.querySelector('tr[data-portfolio=${JSON.stringify(portfolioId)}] .badge');
  return !!badge && badge.textContent.includes('MARGIN_CALL') && getComputedStyle(badge).backgroundColor === 'rgb(198, 40, 40)';
})()`;
