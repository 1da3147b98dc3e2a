/**
 * refreshMaterializedViews — Cloud Scheduler → HTTP, every minute. Refreshes every materialized view of
 * shared/contracts/warehouse-views.json and reports each; 500 when any failed, so Scheduler retries.
 */
import { MATERIALIZED_VIEWS } from '../../shared/contracts/warehouse-views';
import { scheduledJobHttp } from '../../shared/platform/triggers/scheduled-http';
import type { HttpFunction } from '@google-cloud/functions-framework';
import {
  refreshMaterializedViews as refresh,
  type RefreshMaterializedViewsDeps,
} from '../../shared/use-cases/refresh-materialized-views';
import { httpWiring } from '../runtime/http-wiring';

export function refreshMaterializedViewsHttp(
  deps: () => Promise<RefreshMaterializedViewsDeps>,
): HttpFunction {
  return scheduledJobHttp('materialized view refresh', deps, refresh, (o) => o.failed > 0);
}

export const refreshMaterializedViews = httpWiring(
  'refreshMaterializedViews',
  (p, logger) => ({
    maintenance: p.maintenance(),
    clock: p.clock,
    logger,
    views: MATERIALIZED_VIEWS.map((v) => v.name),
  }),
  refreshMaterializedViewsHttp,
);
