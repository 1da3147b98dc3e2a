/** fanOutNotifications — Pub/Sub push: alerts.margin.v1, alerts.aml.v1 → notifications.dispatch.v1. */
import * as ff from '@google-cloud/functions-framework';
import { normalizeAmlAlert, normalizeMarginAlert } from '../../shared/domain/notifications/alerts';
import { readNotificationsConfig } from '../../shared/platform/config-notifications';
import { platformDeps } from '../../shared/platform/production-deps';
import { lazyPubSubFunction, type DeliveryObserver } from '../../shared/platform/pubsub-handler';
import { fanOutNotifications, type FanOutDeps } from '../../shared/use-cases/fan-out-notifications';

export function fanOutNotificationsHandler(deps: () => Promise<FanOutDeps>, observe?: DeliveryObserver) {
  return lazyPubSubFunction(
    'fanOutNotifications',
    deps,
    (d) => ({
      'alerts.margin.v1': (m) => fanOutNotifications(d, normalizeMarginAlert(m)),
      // Validated against alerts.aml.v1 by the handler before the route runs.
      'alerts.aml.v1': (m) => fanOutNotifications(d, normalizeAmlAlert(m)),
    }),
    observe,
  );
}

async function productionDeps(): Promise<FanOutDeps> {
  const p = await platformDeps('fanOutNotifications');
  const c = readNotificationsConfig();
  return { ...p, dedupWindowMs: c.dedupWindowMs, rateLimits: c.rateLimits };
}

ff.cloudEvent('fanOutNotifications', fanOutNotificationsHandler(productionDeps));
