/**
 * archiveColdData — Cloud Scheduler → HTTP, daily. Archives every hot-table partition older than the archive lag
 * to the cold archive (Parquet), verifies it, then deletes it from the warehouse. Safe to rerun: each partition
 * resumes from its recorded state. 500 when any partition failed, so Scheduler retries and the alert fires.
 */
import { WAREHOUSE_TABLES } from '../../shared/contracts/warehouse-tables';
import { readOperationsConfig } from '../../shared/platform/config/operations';
import { scheduledJobHttp } from '../../shared/platform/triggers/scheduled-http';
import type { HttpFunction } from '@google-cloud/functions-framework';
import {
  archiveColdData as archive,
  type ArchiveColdDataDeps,
} from '../../shared/use-cases/archive-cold-data';
import { httpWiring } from '../runtime/http-wiring';

/** The hot tables: every time-partitioned table (the same rule as Terraform's partition expiration). */
export const HOT_TABLES = WAREHOUSE_TABLES.filter((t) => t.partition).map((t) => t.name);

export function archiveColdDataHttp(deps: () => Promise<ArchiveColdDataDeps>): HttpFunction {
  return scheduledJobHttp('cold archival', deps, archive, (o) => o.failed > 0);
}

export const archiveColdData = httpWiring(
  'archiveColdData',
  (p, logger) => {
    const ops = readOperationsConfig(p.env);
    return {
      store: p.store,
      maintenance: p.maintenance(),
      clock: p.clock,
      logger,
      config: {
        archiveAfterDays: ops.archiveAfterDays,
        tables: HOT_TABLES,
        maxAttempts: ops.maxExportAttempts,
      },
    };
  },
  archiveColdDataHttp,
);
