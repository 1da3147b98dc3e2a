/** Hash routes: #/desk/<deskId>, #/portfolio/<portfolioId>, #/cases and #/cases/<caseId>. Pure (no DOM). */

export type Route =
  | { page: 'desk'; deskId: string }
  | { page: 'portfolio'; portfolioId: string }
  | { page: 'cases' }
  | { page: 'case'; caseId: string };

export function parseRoute(hash: string, defaultDeskId: string): Route {
  if (/^#\/cases\/?$/.test(hash)) return { page: 'cases' };
  const c = /^#\/cases\/([^/]+)\/?$/.exec(hash);
  if (c) {
    try {
      return { page: 'case', caseId: decodeURIComponent(c[1]) };
    } catch {
      return { page: 'cases' };
    }
  }
  const m = /^#\/(desk|portfolio)\/([^/]+)\/?$/.exec(hash);
  if (m) {
    let id: string;
    try {
      id = decodeURIComponent(m[2]);
    } catch {
      return { page: 'desk', deskId: defaultDeskId };
    }
    return m[1] === 'desk' ? { page: 'desk', deskId: id } : { page: 'portfolio', portfolioId: id };
  }
  return { page: 'desk', deskId: defaultDeskId };
}

export function deskHref(deskId: string): string {
  return `#/desk/${encodeURIComponent(deskId)}`;
}

export function portfolioHref(portfolioId: string): string {
  return `#/portfolio/${encodeURIComponent(portfolioId)}`;
}

export const CASES_HREF = '#/cases';

export function caseHref(caseId: string): string {
  return `#/cases/${encodeURIComponent(caseId)}`;
}
