/** Schemas of the notifications area (dispatch, preferences, deliveries). Merged into SCHEMAS by schema-registry.ts. */
import dispatch from '../../../schemas/messages/notifications.dispatch.v1.json';

export const NOTIFICATION_SCHEMAS = {
  'messages/notifications.dispatch.v1': dispatch,
} as const;

/** Warehouse tables of this area (each one a schemas/warehouse/<table>.json registered above). */
export type NotificationTable = never;
