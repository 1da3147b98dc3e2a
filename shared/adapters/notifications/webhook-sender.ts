/**
 * Signed HTTP callbacks (Standard Webhooks) with fetch. The webhook-id is the dispatch id, so a receiver
 * that de-duplicates by webhook-id (as the spec asks) sees a resend after an unknown outcome as the same
 * message. 2xx = delivered; 408/429/5xx and network errors retryable (Retry-After honoured); other answers,
 * 3xx included, permanent and blamed on the endpoint.
 */
import type { NotificationSender } from '../../ports/notification-sender';
import type { Destination, ProviderResult } from '../../domain/notifications/delivery';
import { parseRetryAfter } from '../../domain/notifications/delivery';
import { signedHeaders } from '../../domain/notifications/standard-webhooks';
import { renderWebhook } from '../../domain/notifications/templates';
import type { Dispatch } from '../../domain/notifications/types';
import type { Clock } from '../../ports/clock';
import { networkFailure } from './network-errors';

export class WebhookSender implements NotificationSender {
  readonly provider = 'webhook' as const;

  constructor(private readonly options: { clock: Clock; timeoutMs: number }) {}

  async send(d: Dispatch, to: Destination): Promise<ProviderResult> {
    if (to.channel !== 'webhook') throw new Error(`webhook sender cannot deliver to ${to.channel}`);
    const body = renderWebhook(d);
    const timestamp = Math.floor(this.options.clock.now().getTime() / 1000);
    try {
      const res = await fetch(to.url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'fusion-risk-webhooks/1',
          ...signedHeaders(to.secret, d.dispatchId, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const text = (await res.text().catch(() => '')).slice(0, 300);
      if (res.status >= 200 && res.status < 300)
        return { outcome: 'accepted', status: res.status, providerMessageId: d.dispatchId };
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
        return { outcome: 'retryable', status: res.status, code: null, detail: text, retryAfterMs };
      }
      return { outcome: 'permanent', status: res.status, code: null, detail: text, recipientError: true };
    } catch (err) {
      return networkFailure(err);
    }
  }
}
