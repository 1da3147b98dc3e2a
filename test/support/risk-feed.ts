/**
 * The real risk path, as tests of the desk's views feed it: evaluateBatch values portfolios at a tick (exposures
 * into the warehouse, VaR on a year of real closes dated to end the day before), detectMarginEvents keeps their
 * views and raises margin alerts, the hourly roll-up is refreshed (locally a table), and recordAlert puts the new
 * alerts in the feed.
 */
import { DuckDbMaintenance } from '../../shared/adapters/local/duckdb-maintenance';
import type { SchemaTypes } from '../../shared/contracts/schema-types';
import { tickIdOf, tickMinute } from '../../shared/domain/prices/ticks';
import { DEFAULT_RISK_COMPUTE_CONFIG } from '../../shared/domain/risk/config';
import { systemClock } from '../../shared/platform/clocks';
import type { DocumentStore } from '../../shared/ports/document-store';
import type { Logger } from '../../shared/ports/logger';
import type { Warehouse } from '../../shared/ports/warehouse';
import { recordAlert } from '../../shared/use-cases/alert-feed';
import { evaluateBatch, type PortfolioDoc } from '../../shared/use-cases/compute-portfolio-risk';
import { detectMarginEvents } from '../../shared/use-cases/detect-margin-events';
import { historicalPrices } from './env';
import { MemoryDocumentStore } from './memory/memory-document-store';
import { MemoryEventBus } from './memory/memory-event-bus';

type MarginAlert = SchemaTypes['messages/alerts.margin.v1'];
type PortfolioRisk = SchemaTypes['shared/portfolio-risk'];
const DAY = 86_400_000;

/** The minute of `ms` and its tick id, as ingestPrices names a tick. */
export function tickAt(ms: number) {
  const minute = tickMinute(new Date(ms));
  return { tickId: tickIdOf(minute), asOf: minute.toISOString() };
}

export class RiskFeed {
  /** Margin alerts recorded in the feed, in order. */
  readonly recorded: { alertId: string; deskId: string | undefined }[] = [];
  private readonly bus = new MemoryEventBus();
  private readonly maintenance: DuckDbMaintenance;

  constructor(
    private readonly store: DocumentStore,
    private readonly warehouse: Warehouse,
    private readonly logger: Logger,
    archiveDir: string,
  ) {
    this.maintenance = new DuckDbMaintenance(warehouse, { archiveDir });
  }

  /** Values `docs` at `tick` with the real risk path, keeps their views, and records their margin alerts. */
  async run(
    docs: PortfolioDoc[],
    tick: { tickId: string; asOf: string },
    prices: Record<string, number>,
  ): Promise<PortfolioRisk[]> {
    const history = new MemoryDocumentStore();
    // A year of real closes (2023–2024), dated to end the day before the tick: VaR needs a full lookback.
    const closes = historicalPrices();
    for (const asset of ['BTC', 'ETH', 'USDC']) {
      const rows = [];
      for (let i = 400; i >= 1; i--)
        rows.push({
          date: new Date(Date.parse(tick.asOf.slice(0, 10)) - i * DAY).toISOString().slice(0, 10),
          close: closes(asset, new Date(Date.parse('2024-12-01') - i * DAY)),
        });
      await history.set('dailyCloses', asset, { asset, closes: rows, updatedAt: tick.asOf });
    }
    const provenance = Object.fromEntries(
      Object.entries(prices).map(([asset, priceUsd]) => [
        asset,
        { asset, priceUsd, asOf: tick.asOf, source: 'chainlink' as const, quality: 'CROSS_CHECKED' as const },
      ]),
    );
    const out = await evaluateBatch(
      {
        store: history,
        bus: new MemoryEventBus(),
        warehouse: this.warehouse,
        logger: this.logger,
        config: DEFAULT_RISK_COMPUTE_CONFIG,
      },
      docs,
      { ...tick, prices, provenance },
    );
    const deps = {
      store: this.store,
      bus: this.bus,
      warehouse: this.warehouse,
      clock: systemClock,
      logger: this.logger,
    };
    for (const r of out) await detectMarginEvents(deps, r);
    // Locally the hourly roll-up is a table refreshMaterializedViews rebuilds; BigQuery's is always current.
    await this.maintenance.refreshMaterializedView('risk.recent_portfolio_exposures_mv');
    for (const a of this.bus.on<MarginAlert>('alerts.margin.v1')) {
      if (this.recorded.some((r) => r.alertId === a.eventId)) continue;
      await recordAlert({ store: this.store, clock: systemClock }, { source: 'alerts.margin.v1', alert: a });
      this.recorded.push({ alertId: a.eventId, deskId: a.deskId });
    }
    return out;
  }
}
