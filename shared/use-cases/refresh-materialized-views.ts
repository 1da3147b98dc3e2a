/**
 * refreshMaterializedViews: brings every configured materialized view up to date, one after the other, and reports
 * each. One view failing does not stop the others; the outcome says which failed so the caller can answer 500 and
 * Cloud Scheduler's retry (and the function's error-rate alert) take over.
 */
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { WarehouseMaintenance } from '../ports/warehouse-maintenance';

export interface RefreshMaterializedViewsDeps {
  maintenance: WarehouseMaintenance;
  clock: Clock;
  logger: Logger;
  /** dataset.view names, from shared/contracts/warehouse-views.json. */
  views: readonly string[];
}

export interface ViewRefresh {
  view: string;
  ok: boolean;
  durationMs: number;
  error?: string;
}

export interface RefreshMaterializedViewsOutcome {
  refreshedAt: string;
  views: ViewRefresh[];
  failed: number;
}

export async function refreshMaterializedViews(
  deps: RefreshMaterializedViewsDeps,
): Promise<RefreshMaterializedViewsOutcome> {
  const refreshedAt = deps.clock.now().toISOString();
  const views: ViewRefresh[] = [];
  for (const view of deps.views) {
    const started = performance.now();
    try {
      await deps.maintenance.refreshMaterializedView(view);
      const durationMs = Math.round(performance.now() - started);
      views.push({ view, ok: true, durationMs });
      deps.logger.info('materialized view refreshed', { view, durationMs });
    } catch (err) {
      const durationMs = Math.round(performance.now() - started);
      const error = err instanceof Error ? err.message : String(err);
      views.push({ view, ok: false, durationMs, error });
      deps.logger.error('materialized view refresh failed', { view, durationMs, error: err });
    }
  }
  return { refreshedAt, views, failed: views.filter((v) => !v.ok).length };
}
