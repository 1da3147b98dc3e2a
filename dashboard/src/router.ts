/** Hash routes: #/desk/<deskId> and #/portfolio/<portfolioId>. Pure (no DOM). */

export type Route = { page: 'desk'; deskId: string } | { page: 'portfolio'; portfolioId: string };

export function parseRoute(hash: string, defaultDeskId: string): Route {
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
