/**
 * Signed HTTP callbacks (Standard Webhooks). The webhook-id is the dispatch id, so a receiver that
 * de-duplicates by webhook-id (as the spec asks) sees a resend after an unknown outcome as the same message.
 * 2xx = delivered; 408/429/5xx and network errors retryable (Retry-After honoured); other answers, 3xx
 * included (never followed), permanent and blamed on the endpoint.
 *
 * The URL comes from a recipient document, so it is checked at every send (SSRF): https only, no
 * credentials, and every address the host resolves to must be public. The request then connects to the
 * address that was checked, not to a second resolution. An unsafe URL is a permanent failure, with no
 * connection attempted. Only the first few KiB of an answer are read; a short redacted excerpt is kept.
 */
import type { NotificationSender } from '../../ports/notification-sender';
import type { Destination, ProviderResult } from '../../domain/notifications/delivery';
import { parseRetryAfter } from '../../domain/notifications/delivery';
import { signedHeaders } from '../../domain/notifications/standard-webhooks';
import { renderWebhook } from '../../domain/notifications/templates';
import type { Dispatch } from '../../domain/notifications/types';
import { checkAddresses, parseIp, parseWebhookUrl } from '../../domain/notifications/webhook-url';
import type { Clock } from '../../ports/clock';
import { redactText } from '../../platform/redact';
import { systemResolver, type HostResolver, type ResolvedAddress } from './host-resolver';
import { networkFailure } from './network-errors';
import { pinnedHttpTransport, type WebhookTransport } from './pinned-http';

/** provider_code of a dispatch refused before any connection because of its URL. */
export const UNSAFE_WEBHOOK_URL = 'UNSAFE_WEBHOOK_URL';
/** Bytes of an answer read at most; a receiver's reply is a status line, not a payload. */
export const MAX_RESPONSE_BYTES = 4096;
/** Characters of an answer kept in the delivery log. */
const EXCERPT_CHARS = 200;

export interface WebhookSenderOptions {
  clock: Clock;
  timeoutMs: number;
  /** Local stack only (NOTIFY_WEBHOOK_ALLOW_LOOPBACK): http and loopback addresses for its receiver. */
  allowLoopback?: boolean;
  resolver?: HostResolver;
  transport?: WebhookTransport;
  maxResponseBytes?: number;
}

export class WebhookSender implements NotificationSender {
  readonly provider = 'webhook' as const;

  constructor(private readonly options: WebhookSenderOptions) {}

  async send(d: Dispatch, to: Destination): Promise<ProviderResult> {
    if (to.channel !== 'webhook') throw new Error(`webhook sender cannot deliver to ${to.channel}`);
    const policy = { allowLoopback: this.options.allowLoopback ?? false };
    const parsed = parseWebhookUrl(to.url, policy);
    if (!parsed.ok) return unsafe(parsed.reason);
    const target = parsed.value;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let addresses: ResolvedAddress[];
    try {
      addresses = target.literal
        ? [{ address: target.literal, family: parseIp(target.literal)?.family === 6 ? 6 : 4 }]
        : await (this.options.resolver ?? systemResolver).resolve(target.hostname);
    } catch (err) {
      return networkFailure(err); // ENOTFOUND / EAI_AGAIN: nothing was sent
    }
    const checked = checkAddresses(
      target,
      addresses.map((a) => a.address),
      policy,
    );
    if (!checked.ok) return unsafe(checked.reason);
    const pinned = addresses.find((a) => a.address === checked.value) as ResolvedAddress;

    const body = renderWebhook(d);
    const timestamp = Math.floor(this.options.clock.now().getTime() / 1000);
    try {
      const res = await (this.options.transport ?? pinnedHttpTransport).post({
        url: target.url,
        address: pinned.address,
        family: pinned.family,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'fusion-risk-webhooks/1',
          ...signedHeaders(to.secret, d.dispatchId, timestamp, body),
        },
        body,
        signal,
        maxBodyBytes: this.options.maxResponseBytes ?? MAX_RESPONSE_BYTES,
      });
      if (res.status >= 200 && res.status < 300)
        return { outcome: 'accepted', status: res.status, providerMessageId: d.dispatchId };
      const detail = excerpt(res.body, res.truncated);
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        const header = res.headers['retry-after'];
        const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, Date.now());
        return { outcome: 'retryable', status: res.status, code: null, detail, retryAfterMs };
      }
      return { outcome: 'permanent', status: res.status, code: null, detail, recipientError: true };
    } catch (err) {
      return networkFailure(err);
    }
  }
}

function unsafe(reason: string): ProviderResult {
  return {
    outcome: 'permanent',
    status: null,
    code: UNSAFE_WEBHOOK_URL,
    detail: reason,
    recipientError: true,
  };
}

/** A short, single-line, redacted excerpt of a receiver's answer for the delivery log. */
export function excerpt(body: string, truncated: boolean): string {
  // Control characters (terminal escapes, NULs) and line breaks become single spaces.
  const line = body.replace(/[\p{Cc}\s]+/gu, ' ').trim();
  const cut = line.length > EXCERPT_CHARS || truncated;
  // Redacted whole first, so a secret cut at the boundary is not left half visible.
  return redactText(line).slice(0, EXCERPT_CHARS) + (cut ? ' […]' : '');
}
