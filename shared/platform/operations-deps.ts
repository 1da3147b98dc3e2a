/**
 * The warehouse-maintenance adapter a deployed operations function uses: BigQuery + Cloud Storage in the cloud,
 * DuckDB + a local Parquet folder locally. Built from validated configuration; SDKs load lazily in the adapters.
 */
import { BigQueryMaintenance } from '../adapters/gcp/bigquery-maintenance';
import { DuckDbMaintenance } from '../adapters/local/duckdb-maintenance';
import type { WarehouseMaintenance } from '../ports/warehouse-maintenance';
import type { OperationsConfig } from './config-operations';
import type { PlatformDeps } from './production-deps';

export function maintenanceFor(p: PlatformDeps, ops: OperationsConfig): WarehouseMaintenance {
  if (p.config.warehouse === 'duckdb')
    return new DuckDbMaintenance(p.warehouse, { archiveDir: ops.localArchiveDir });
  return new BigQueryMaintenance({
    projectId: p.config.projectId,
    location: p.config.bigqueryLocation,
    // readOperationsConfig refuses a cloud environment without both buckets.
    archiveBucket: ops.archiveBucket ?? '',
    stagingBucket: ops.archiveStagingBucket ?? '',
  });
}
