/** Schemas of the notifications area (dispatch, preferences, deliveries). Merged into SCHEMAS by schema-registry.ts. */
import preferences from '../../../schemas/inputs/notification-preferences.json';
import dispatch from '../../../schemas/messages/notifications.dispatch.v1.json';
import deliveries from '../../../schemas/warehouse/notifications.deliveries.json';

export const NOTIFICATION_SCHEMAS = {
  'messages/notifications.dispatch.v1': dispatch,
  'inputs/notification-preferences': preferences,
  'warehouse/notifications.deliveries': deliveries,
} as const;

/** Warehouse tables of this area (each one a schemas/warehouse/<table>.json registered above). */
export type NotificationTable = 'notifications.deliveries';
