/**
 * refreshMaterializedViews — Cloud Scheduler → HTTP, every minute. Refreshes every materialized view of
 * shared/contracts/warehouse-views.json and reports each; 500 when any failed, so Scheduler retries.
 */
import * as ff from '@google-cloud/functions-framework';
import { MATERIALIZED_VIEWS } from '../../shared/contracts/warehouse-views';
import { readOperationsConfig } from '../../shared/platform/config-operations';
import { maintenanceFor } from '../../shared/platform/operations-deps';
import { once } from '../../shared/platform/once';
import { scheduledJobHttp } from '../../shared/platform/scheduled-http';
import { platformDeps } from '../../shared/platform/production-deps';
import {
  refreshMaterializedViews,
  type RefreshMaterializedViewsDeps,
} from '../../shared/use-cases/refresh-materialized-views';

export function refreshMaterializedViewsHttp(
  deps: () => Promise<RefreshMaterializedViewsDeps>,
): ff.HttpFunction {
  return scheduledJobHttp('materialized view refresh', deps, refreshMaterializedViews, (o) => o.failed > 0);
}

async function productionDeps(): Promise<RefreshMaterializedViewsDeps> {
  const p = await platformDeps('refreshMaterializedViews');
  return {
    maintenance: maintenanceFor(p, readOperationsConfig()),
    clock: p.clock,
    logger: p.logger,
    views: MATERIALIZED_VIEWS.map((v) => v.name),
  };
}

ff.http('refreshMaterializedViews', refreshMaterializedViewsHttp(once(productionDeps)));
