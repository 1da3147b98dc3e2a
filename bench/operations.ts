/**
 * Benchmarks of the operations area, on the local warehouse (DuckDB) and archive folder:
 * - materialized-view refresh (full recompute of the hourly roll-up) over a week of minute ticks, against a plain
 *   aggregate scan of the same table in the same run;
 * - cold archival of those days (export to Parquet, re-read count, delete), rows per second, and the archive's
 *   size per row compared with the rows' JSON size.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbMaintenance } from '../shared/adapters/local/duckdb-maintenance';
import { DuckDbWarehouse } from '../shared/adapters/local/duckdb-warehouse';
import { MemoryDocumentStore } from '../test/support/memory/memory-document-store';
import { ManualClock } from '../shared/platform/clocks';
import { StructuredLogger } from '../shared/platform/logger';
import type { TableRows } from '../shared/contracts/schema-types';
import { archiveColdData } from '../shared/use-cases/archive-cold-data';
import type { BenchFigure } from './areas';

const DAYS = 7;
const TICKS_PER_DAY = 24 * 60;
const PORTFOLIOS = ['desk-a', 'desk-b', 'desk-c'];
const ASSETS = ['BTC', 'ETH'];

function rows(day0: number): TableRows['risk.portfolio_exposures'][] {
  const out: TableRows['risk.portfolio_exposures'][] = [];
  for (let d = 0; d < DAYS; d++)
    for (let t = 0; t < TICKS_PER_DAY; t++) {
      const asOf = new Date(day0 + d * 86_400_000 + t * 60_000).toISOString();
      for (const p of PORTFOLIOS)
        for (const a of ASSETS)
          out.push({
            row_id: `${p}:${asOf}:${a}`,
            portfolio_id: p,
            tick_id: asOf,
            as_of: asOf,
            asset: a,
            price_usd: 100 + t,
            net_amount: 1,
            net_exposure_usd: 100 + t,
            collateral_usd: 1000,
            borrow_usd: 500,
            health_score: 100,
            var_99_1d_usd: 10,
            es_975_1d_usd: 12,
          });
    }
  return out;
}

const ms = (t0: number) => performance.now() - t0;

function dirBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);
}

export async function runOperationsBenchmarks(): Promise<BenchFigure[]> {
  const warehouse = await DuckDbWarehouse.open();
  const archiveDir = mkdtempSync(join(tmpdir(), 'fr-bench-archive-'));
  try {
    const day0 = Date.parse('2020-01-01T00:00:00Z');
    const data = rows(day0);
    for (let i = 0; i < data.length; i += 5_000)
      await warehouse.insert('risk.portfolio_exposures', data.slice(i, i + 5_000));
    const maintenance = new DuckDbMaintenance(warehouse, { archiveDir });

    let t0 = performance.now();
    await warehouse.query(
      `SELECT portfolio_id, asset, COUNT(*) AS n, MAX(as_of) AS latest FROM risk.portfolio_exposures GROUP BY 1, 2`,
    );
    const scanMs = ms(t0);
    t0 = performance.now();
    await maintenance.refreshMaterializedView('risk.recent_portfolio_exposures_mv');
    const refreshMs = ms(t0);

    t0 = performance.now();
    const outcome = await archiveColdData({
      store: new MemoryDocumentStore(),
      maintenance,
      clock: new ManualClock(new Date(day0 + (DAYS + 60) * 86_400_000)),
      logger: new StructuredLogger({ sink: () => undefined }),
      config: { archiveAfterDays: 60, tables: ['risk.portfolio_exposures'], maxAttempts: 3 },
    });
    const archiveMs = ms(t0);
    const jsonBytes = data.reduce((n, r) => n + JSON.stringify(r).length, 0);
    const parquetBytes = dirBytes(archiveDir);
    return [
      { name: 'operations: exposure rows (7 days of minute ticks)', value: data.length, unit: 'rows' },
      {
        name: 'operations: aggregate scan of the base table (reference)',
        value: scanMs.toFixed(1),
        unit: 'ms',
      },
      {
        name: 'operations: materialized view refresh (hourly roll-up, local full recompute)',
        value: refreshMs.toFixed(1),
        unit: 'ms',
      },
      {
        name: 'operations: archive 7 day-partitions (export, verify, delete)',
        value: archiveMs.toFixed(0),
        unit: 'ms',
      },
      {
        name: 'operations: archival throughput',
        value: Math.round(outcome.archivedRows / (archiveMs / 1000)),
        unit: 'rows/s',
      },
      {
        name: 'operations: archived Parquet (zstd) size per row',
        value: (parquetBytes / outcome.archivedRows).toFixed(1),
        unit: 'bytes',
      },
      {
        name: 'operations: same rows as JSON (reference)',
        value: (jsonBytes / data.length).toFixed(1),
        unit: 'bytes/row',
      },
    ];
  } finally {
    await warehouse.close();
    rmSync(archiveDir, { recursive: true, force: true });
  }
}
