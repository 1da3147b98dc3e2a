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
import { platformDeps } from '../../shared/platform/production-deps';
import { archiveColdData, type ArchiveColdDataDeps } from '../../shared/use-cases/archive-cold-data';

/** The hot tables: every time-partitioned table (the same rule as Terraform's partition expiration). */
export const HOT_TABLES = WAREHOUSE_TABLES.filter((t) => t.partition).map((t) => t.name);

export function archiveColdDataHttp(deps: () => Promise<ArchiveColdDataDeps>): ff.HttpFunction {
  return async (req, res) => {
    if (req.method !== 'POST' && req.method !== 'GET') {
      res.status(405).json({ error: 'use POST (Cloud Scheduler) or GET' });
      return;
    }
    let d: ArchiveColdDataDeps | undefined;
    try {
      d = await deps();
      const outcome = await archiveColdData(d);
      res.status(outcome.failed ? 500 : 200).json(outcome);
    } catch (err) {
      d?.logger.error('cold archival failed', { error: err });
      res.status(500).json({ error: 'cold archival failed' });
    }
  };
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
