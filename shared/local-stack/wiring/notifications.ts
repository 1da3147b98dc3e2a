/** Local wiring of the notifications area: its functions and the local servers it talks to. */
import type { AreaWiring, WiringContext } from './types';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type NotificationsServices = {};

export async function wireNotifications(ctx: WiringContext): Promise<AreaWiring<NotificationsServices>> {
  void ctx;
  return { services: {} };
}
