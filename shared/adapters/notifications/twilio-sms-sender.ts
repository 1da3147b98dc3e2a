/**
 * SMS through the Twilio Messages API with the `twilio` package (loaded lazily). The client is pointed at
 * another API host (the local server) by a RequestClient that rewrites the origin of every request:
 * twilio-node has no base-URL option (edge/region only rewrite the hostname under twilio.com).
 * Classification: 429 / 20429, 21611 (the sender's queue is full: back-pressure, nothing was queued) and 5xx
 * retryable; 21211, 21610, 21614 ... permanent (the recipient's number); other 4xx permanent.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { NotificationSender } from '../../ports/notification-sender';
import type { Destination, ProviderResult } from '../../domain/notifications/delivery';
import { parseRetryAfter } from '../../domain/notifications/delivery';
import { renderSms } from '../../domain/notifications/templates';
import type { Dispatch } from '../../domain/notifications/types';
import { networkFailure } from './network-errors';

export interface TwilioOptions {
  accountSid: string;
  authToken: () => Promise<string>;
  from: string;
  /** e.g. http://127.0.0.1:PORT for the local server; default https://api.twilio.com. */
  baseUrl?: string;
  timeoutMs: number;
}

/** Errors about the To number: the contact data is wrong, not the provider. */
const RECIPIENT_CODES = new Set([21211, 21408, 21610, 21612, 21614]);
/** The From number's queue is full (it holds ~10 h of messages): retried later rather than dropped. */
const SENDER_QUEUE_FULL = 21611;

type TwilioClient = import('twilio').Twilio;
type RequestOptions<T> = import('twilio/lib/base/RequestClient').RequestOptions<T>;

interface RestExceptionShape {
  status?: number;
  code?: number;
  message?: string;
  // twilio-node's RestException does not expose headers: the request client records them per send (below).
}

/** The Retry-After of the response to this send's own request (concurrent sends share one client). */
const sendContext = new AsyncLocalStorage<{ retryAfter?: string }>();

export class TwilioSmsSender implements NotificationSender {
  readonly provider = 'twilio' as const;
  private client?: Promise<TwilioClient>;

  constructor(private readonly options: TwilioOptions) {}

  private build() {
    this.client ??= (async () => {
      const twilio = (await import('twilio')).default;
      // A property of the CommonJS export, not a named export the module loader can see.
      const RequestClient = twilio.RequestClient;
      const { baseUrl, timeoutMs } = this.options;
      class RebasedRequestClient extends RequestClient {
        override async request<T>(opts: RequestOptions<T>) {
          const uri = baseUrl ? rebase(opts.uri, baseUrl) : opts.uri;
          const res = await super.request<T>({
            ...opts,
            uri,
            timeout: opts.timeout ?? timeoutMs,
          } as RequestOptions<T>);
          const send = sendContext.getStore();
          if (send) send.retryAfter = (res.headers as Record<string, string | undefined>)['retry-after'];
          return res;
        }
      }
      const httpClient = new RebasedRequestClient({ timeout: timeoutMs, keepAlive: true });
      return twilio(this.options.accountSid, await this.options.authToken(), {
        httpClient,
        autoRetry: false, // retries are ours: classified, with the dispatch's send record
      });
    })();
    this.client.catch(() => (this.client = undefined));
    return this.client;
  }

  async send(d: Dispatch, to: Destination): Promise<ProviderResult> {
    if (to.channel !== 'sms') throw new Error(`Twilio cannot deliver to ${to.channel}`);
    const twilio = await this.build();
    const context: { retryAfter?: string } = {};
    try {
      const msg = await sendContext.run(context, () =>
        twilio.messages.create({ to: to.phone, from: this.options.from, body: renderSms(d) }),
      );
      return { outcome: 'accepted', status: 201, providerMessageId: msg.sid };
    } catch (err) {
      const e = err as RestExceptionShape;
      if (typeof e.status !== 'number') return networkFailure(err);
      const code = e.code !== undefined ? String(e.code) : String(e.status);
      const detail = (e.message ?? '').slice(0, 300);
      if (e.status === 429 || e.code === 20429 || e.code === SENDER_QUEUE_FULL || e.status >= 500) {
        const retryAfterMs = parseRetryAfter(context.retryAfter, Date.now());
        return { outcome: 'retryable', status: e.status, code, detail, retryAfterMs };
      }
      const recipientError = e.code !== undefined && RECIPIENT_CODES.has(e.code);
      return { outcome: 'permanent', status: e.status, code, detail, recipientError };
    }
  }
}

/** Same path and query on another origin: https://api.twilio.com/2010-04-01/... → <baseUrl>/2010-04-01/... */
export function rebase(uri: string, baseUrl: string): string {
  const from = new URL(uri);
  const to = new URL(baseUrl);
  to.pathname = `${to.pathname.replace(/\/$/, '')}${from.pathname}`;
  to.search = from.search;
  return to.toString();
}
