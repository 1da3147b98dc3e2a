/**
 * Local wiring of the operations area: refreshMaterializedViews and archiveColdData over the stack's DuckDB
 * warehouse. The cold archive is a local folder of Parquet files (LOCAL_ARCHIVE_DIR, default
 * .local/archive/<project>, git-ignored); each stack gets its own folder so parallel runs never share one.
 */
import { join } from 'node:path';
import { archiveColdDataHttp, HOT_TABLES } from '../../functions/archive-cold-data';
import { refreshMaterializedViewsHttp } from '../../functions/refresh-materialized-views';
import { DuckDbMaintenance } from '../../shared/adapters/local/duckdb-maintenance';
import { MATERIALIZED_VIEWS } from '../../shared/contracts/warehouse-views';
import { readOperationsConfig } from '../../shared/platform/config-operations';
import type { AreaWiring, WiringContext } from './types';

export interface OperationsServices {
  /** The local warehouse maintenance (materialized views as tables, Parquet archive); reads rolling views too. */
  maintenance: DuckDbMaintenance;
  /** Absolute path of this stack's archive folder. */
  archiveDir: string;
}

export async function wireOperations(ctx: WiringContext): Promise<AreaWiring<OperationsServices>> {
  const ops = readOperationsConfig({ ...process.env, ENVIRONMENT: 'local' });
  const maintenance = new DuckDbMaintenance(ctx.warehouse, {
    archiveDir: join(ops.localArchiveDir, ctx.projectId),
  });
  const views = MATERIALIZED_VIEWS.map((v) => v.name);
  return {
    http: {
      refreshMaterializedViews: refreshMaterializedViewsHttp(async () => ({
        maintenance,
        clock: ctx.clock,
        logger: ctx.logger.child({ functionName: 'refreshMaterializedViews' }),
        views,
      })),
      archiveColdData: archiveColdDataHttp(async () => ({
        store: ctx.store,
        maintenance,
        clock: ctx.clock,
        logger: ctx.logger.child({ functionName: 'archiveColdData' }),
        config: {
          archiveAfterDays: ops.archiveAfterDays,
          tables: HOT_TABLES,
          maxAttempts: ops.maxExportAttempts,
        },
      })),
    },
    services: { maintenance, archiveDir: maintenance.archiveDir },
  };
}
