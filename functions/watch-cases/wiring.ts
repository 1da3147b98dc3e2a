/**
 * watchCases — Cloud Scheduler → HTTP, every minute: compliance cases at risk of missing, or past, their
 * service-level deadline → alerts.cases.v1 (the compliance team is told through the notification path); trail
 * events still queued for the warehouse → compliance.case_events; AML evaluations screenTransaction answered but
 * could not hand to the stream → delivered (alerts.aml.v1, compliance.aml_alerts, compliance.transactions, cases).
 * 500 on failure, so Scheduler retries.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { scheduledJobHttp } from '../../shared/platform/triggers/scheduled-http';
import { watchCases as watch, type WatchCasesDeps } from '../../shared/use-cases/cases/watch-cases';
import { readCaseSlaConfig } from '../../shared/platform/config/cases';
import { httpWiring } from '../runtime/http-wiring';

export function watchCasesHttp(deps: () => Promise<WatchCasesDeps>): HttpFunction {
  return scheduledJobHttp('case watch', deps, watch, () => false);
}

export const watchCases = httpWiring(
  'watchCases',
  (p, logger): WatchCasesDeps => ({
    store: p.store,
    bus: p.bus,
    warehouse: p.warehouse,
    clock: p.clock,
    logger,
    sla: readCaseSlaConfig(p.env),
  }),
  watchCasesHttp,
);
