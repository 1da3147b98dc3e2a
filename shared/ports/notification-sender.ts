import type { Destination, ProviderName, ProviderResult } from '../domain/notifications/delivery';
import type { Dispatch } from '../domain/notifications/types';

/** One provider behind one channel. Implementations never throw for provider answers; only for bugs. */
export interface NotificationSender {
  readonly provider: ProviderName;
  send(dispatch: Dispatch, destination: Destination, signal?: AbortSignal): Promise<ProviderResult>;
}
