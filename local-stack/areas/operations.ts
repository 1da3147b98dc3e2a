/**
 * The operations area on the local stack: refreshMaterializedViews and archiveColdData over the stack's DuckDB
 * warehouse. The cold archive is a local folder of Parquet files (LOCAL_ARCHIVE_DIR, default
 * .local/archive/<project>, git-ignored); each stack gets its own folder so parallel runs never share one.
 */
import { DuckDbMaintenance } from '../../shared/adapters/local/duckdb-maintenance';
import { localArchiveDir } from '../platform';
import type { AreaContext, LocalArea } from './types';

export interface OperationsServices {
  /** The local warehouse maintenance (materialized views as tables, Parquet archive); reads rolling views too. */
  maintenance: DuckDbMaintenance;
  /** Absolute path of this stack's archive folder. */
  archiveDir: string;
}

export async function startOperationsArea(ctx: AreaContext): Promise<LocalArea<OperationsServices>> {
  const archiveDir = localArchiveDir(ctx.projectId, ctx.env);
  const maintenance = new DuckDbMaintenance(ctx.warehouse, { archiveDir });
  return {
    functions: ['refreshMaterializedViews', 'archiveColdData'],
    env: { LOCAL_ARCHIVE_DIR: archiveDir },
    services: { maintenance, archiveDir: maintenance.archiveDir },
  };
}
