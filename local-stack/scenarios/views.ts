/**
 * The risk desk's views, read at the end of the bundled scenario the way a risk manager's screen and a script
 * using the SDK read them: through riskApi, as the local risk manager (every desk) and a desk head (the default
 * desk only). report() lists each desk's portfolios by state and its collateral at risk, counts the alerts in
 * the feed by kind (paged with the cursor), checks that the stream goes live, and that the desk head is refused
 * another desk.
 */
import { PermissionError, RiskClient, type ConnectionState } from '../../sdk/src/index';
import { CONTROLS_DESK } from './controls';
import type { LocalStack } from '../stack';
import type { ScenarioPart } from './types';

const usd = (n: number) => `${Math.round(n).toLocaleString('en-US')} USD`;

async function streamGoesLive(client: RiskClient): Promise<number | null> {
  const started = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => (sub.close(), resolve(null)), 10_000);
    const sub = client.subscribeToAlerts({
      onAlert: () => undefined,
      onStateChange: (s: ConnectionState) => {
        if (s !== 'live') return;
        clearTimeout(timer);
        sub.close();
        resolve(Date.now() - started);
      },
    });
  });
}

export const viewsScenario: ScenarioPart = {
  name: 'risk desk views (riskApi)',
  async report(stack: LocalStack) {
    const url = stack.functionUrls.riskApi;
    if (!url) return { lines: [], ok: true }; // area not wired
    const { riskManager, deskHead } = stack.areas.views;
    const manager = new RiskClient({ baseUrl: url, token: `local:${riskManager}` });
    const lines: string[] = [];
    let portfolios = 0;
    for (const deskId of ['default', CONTROLS_DESK]) {
      const d = await manager.getDeskOverview(deskId);
      portfolios += d.portfolios.length;
      const c = d.counts;
      lines.push(
        `  desk ${deskId}: ${d.portfolios.length} portfolios (${c.HEALTHY} healthy, ${c.WARNING} warning, ` +
          `${c.MARGIN_CALL} margin call, ${c.LIQUIDATION} liquidation), riskiest ${d.portfolios[0]?.portfolioId ?? '-'}; ` +
          `collateral at risk ${usd(d.collateralAtRisk.totalUsd)} (in call ${usd(d.collateralAtRisk.inCallUsd)}, ` +
          `under ${Math.round(d.shock.fraction * 100)} % ${usd(d.collateralAtRisk.underShockUsd)})`,
      );
    }
    const bySource = new Map<string, number>();
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const p = await manager.listAlerts({ cursor, limit: 500 });
      for (const a of p.alerts) bySource.set(a.source, (bySource.get(a.source) ?? 0) + 1);
      if (p.alerts.length === 0 || p.cursor === null) break;
      cursor = p.cursor;
    }
    const alerts = [...bySource.values()].reduce((s, n) => s + n, 0);
    lines.push(
      `  alert feed: ${alerts} alerts (${[...bySource].map(([s, n]) => `${s.replace(/^alerts\.|\.v1$/g, '')} ${n}`).join(', ')})`,
    );
    const liveMs = await streamGoesLive(manager);
    lines.push(`  stream: ${liveMs === null ? 'did not go live' : `live (caught up) in ${liveMs} ms`}`);
    let refused = false;
    try {
      await new RiskClient({ baseUrl: url, token: `local:${deskHead}` }).getDeskOverview(CONTROLS_DESK);
    } catch (err) {
      refused = err instanceof PermissionError;
    }
    lines.push(
      `  ${deskHead} reading desk ${CONTROLS_DESK}: ${refused ? '403 (as configured)' : 'NOT refused'}`,
    );
    return { lines, ok: portfolios > 0 && alerts > 0 && liveMs !== null && refused };
  },
};
