/**
 * refreshMaterializedViews — Cloud Scheduler → HTTP, every minute. Refreshes every materialized view of
 * shared/contracts/warehouse-views.json and reports each; 500 when any failed, so Scheduler retries.
 */
import * as ff from '@google-cloud/functions-framework';
import { MATERIALIZED_VIEWS } from '../../shared/contracts/warehouse-views';
import { readOperationsConfig } from '../../shared/platform/config-operations';
import { maintenanceFor } from '../../shared/platform/operations-deps';
import { once } from '../../shared/platform/once';
import { platformDeps } from '../../shared/platform/production-deps';
import {
  refreshMaterializedViews,
  type RefreshMaterializedViewsDeps,
} from '../../shared/use-cases/refresh-materialized-views';

export function refreshMaterializedViewsHttp(
  deps: () => Promise<RefreshMaterializedViewsDeps>,
): ff.HttpFunction {
  return async (req, res) => {
    if (req.method !== 'POST' && req.method !== 'GET') {
      res.status(405).json({ error: 'use POST (Cloud Scheduler) or GET' });
      return;
    }
    let d: RefreshMaterializedViewsDeps | undefined;
    try {
      d = await deps();
      const outcome = await refreshMaterializedViews(d);
      res.status(outcome.failed ? 500 : 200).json(outcome);
    } catch (err) {
      d?.logger.error('materialized view refresh failed', { error: err });
      res.status(500).json({ error: 'materialized view refresh failed' });
    }
  };
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
