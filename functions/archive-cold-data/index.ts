/**
 * archiveColdData — Cloud Scheduler → HTTP, daily. Archives every hot-table partition older than the archive lag
 * to the cold archive (Parquet), verifies it, then deletes it from the warehouse. Safe to rerun: each partition
 * resumes from its recorded state. 500 when any partition failed, so Scheduler retries and the alert fires.
 */
import * as ff from '@google-cloud/functions-framework';
import { WAREHOUSE_TABLES } from '../../shared/contracts/warehouse-tables';
import { readOperationsConfig } from '../../shared/platform/config-operations';
import { maintenanceFor } from '../../shared/platform/operations-deps';
import { once } from '../../shared/platform/once';
import { scheduledJobHttp } from '../../shared/platform/scheduled-http';
import { platformDeps } from '../../shared/platform/production-deps';
import { archiveColdData, type ArchiveColdDataDeps } from '../../shared/use-cases/archive-cold-data';

/** The hot tables: every time-partitioned table (the same rule as Terraform's partition expiration). */
export const HOT_TABLES = WAREHOUSE_TABLES.filter((t) => t.partition).map((t) => t.name);

export function archiveColdDataHttp(deps: () => Promise<ArchiveColdDataDeps>): ff.HttpFunction {
  return scheduledJobHttp('cold archival', deps, archiveColdData, (o) => o.failed > 0);
}

async function productionDeps(): Promise<ArchiveColdDataDeps> {
  const p = await platformDeps('archiveColdData');
  const ops = readOperationsConfig();
  return {
    store: p.store,
    maintenance: maintenanceFor(p, ops),
    clock: p.clock,
    logger: p.logger,
    config: {
      archiveAfterDays: ops.archiveAfterDays,
      tables: HOT_TABLES,
      maxAttempts: ops.maxExportAttempts,
    },
  };
}

ff.http('archiveColdData', archiveColdDataHttp(once(productionDeps)));
