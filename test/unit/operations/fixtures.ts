/** Shared setup of the operations tests: an in-memory DuckDB warehouse, a temporary archive folder, rows. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbMaintenance } from '../../../shared/adapters/local/duckdb-maintenance';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import { StructuredLogger } from '../../../shared/platform/logger';
import type { TableRows } from '../../../shared/contracts/schema-types';

export interface OperationsFixture {
  warehouse: DuckDbWarehouse;
  maintenance: DuckDbMaintenance;
  archiveDir: string;
  logs: Record<string, unknown>[];
  logger: StructuredLogger;
  close(): Promise<void>;
}

export async function operationsFixture(): Promise<OperationsFixture> {
  const warehouse = await DuckDbWarehouse.open();
  const archiveDir = mkdtempSync(join(tmpdir(), 'fr-archive-'));
  const logs: Record<string, unknown>[] = [];
  const logger = new StructuredLogger({
    sink: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
  });
  return {
    warehouse,
    maintenance: new DuckDbMaintenance(warehouse, { archiveDir }),
    archiveDir,
    logs,
    logger,
    close: async () => {
      await warehouse.close();
      rmSync(archiveDir, { recursive: true, force: true });
    },
  };
}

/** One market.prices row per asset at `asOf`. */
export function priceRows(asOf: string, assets: string[] = ['BTC', 'ETH']): TableRows['market.prices'][] {
  return assets.map((asset, i) => ({
    row_id: `tick-${asOf}:${asset}`,
    tick_id: `tick-${asOf}`,
    as_of: asOf,
    asset,
    price_usd: 1000 + i,
    source: 'chainlink',
    quality: 'ok',
    published_at: asOf,
    confidence_usd: null,
  }));
}

/** One risk.portfolio_exposures row. */
export function exposureRow(
  portfolioId: string,
  asset: string,
  asOf: string,
  netExposureUsd: number,
): TableRows['risk.portfolio_exposures'] {
  return {
    row_id: `${portfolioId}:tick-${asOf}:${asset}`,
    portfolio_id: portfolioId,
    tick_id: `tick-${asOf}`,
    as_of: asOf,
    asset,
    price_usd: 100,
    net_amount: netExposureUsd / 100,
    net_exposure_usd: netExposureUsd,
    collateral_usd: Math.max(netExposureUsd, 0),
    borrow_usd: Math.max(-netExposureUsd, 0),
    health_score: 42,
    var_99_1d_usd: 10,
    es_975_1d_usd: 12,
  };
}
