/** deliverNotification — Pub/Sub push: notifications.dispatch.v1 → SendGrid, Twilio or a signed webhook. */
import { BatchingWarehouse } from '../../shared/adapters/batching-warehouse';
import { buildSenders } from '../../shared/adapters/notifications/senders';
import { readNotificationsConfig } from '../../shared/platform/config/notifications';
import { KeyedQueue } from '../../shared/platform/keyed-queue';
import { deliverNotification as deliver } from '../../shared/use-cases/deliver-notification';
import { pubsubWiring } from '../runtime/pubsub-wiring';

export const deliverNotification = pubsubWiring(
  'deliverNotification',
  (p, logger) => {
    const c = readNotificationsConfig(p.env);
    return {
      ...p,
      logger,
      // Concurrent deliveries on one instance share one streaming insert of their delivery-log rows.
      warehouse: new BatchingWarehouse(p.warehouse),
      senders: buildSenders(c, p.secrets, p.clock),
      retry: c.retry,
      leaseMs: c.sendLeaseMs,
      dispatches: new KeyedQueue(),
    };
  },
  (d) => ({
    'notifications.dispatch.v1': (m) => deliver(d, m),
  }),
);
