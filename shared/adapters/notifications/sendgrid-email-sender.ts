/**
 * E-mail through SendGrid v3 Mail Send with @sendgrid/mail (loaded lazily). The client never retries and
 * rejects every status ≥ 400 with ResponseError; this adapter classifies: 429 (wait for X-RateLimit-Reset)
 * and 5xx are retryable, other 4xx permanent. Sandbox mode validates without delivering (200 instead of 202).
 */
import type { NotificationSender } from '../../ports/notification-sender';
import type { Destination, ProviderResult } from '../../domain/notifications/delivery';
import { parseRetryAfter } from '../../domain/notifications/delivery';
import { renderEmail } from '../../domain/notifications/templates';
import type { Dispatch } from '../../domain/notifications/types';
import { networkFailure } from './network-errors';

export interface SendGridOptions {
  apiKey: () => Promise<string>;
  from: string;
  sandbox: boolean;
  /** e.g. http://127.0.0.1:PORT/ for the local server; default api.sendgrid.com. */
  baseUrl?: string;
  timeoutMs: number;
  now?: () => number;
}

type MailService = import('@sendgrid/mail').MailService;
type SendGridClient = import('@sendgrid/client/src/client').Client;

interface SendGridErrorShape {
  code?: number;
  message?: string;
  response?: { headers?: Record<string, string>; body?: { errors?: { message?: string; field?: string }[] } };
}

export class SendGridEmailSender implements NotificationSender {
  readonly provider = 'sendgrid' as const;
  private service?: Promise<MailService>;

  constructor(private readonly options: SendGridOptions) {}

  private mail(): Promise<MailService> {
    this.service ??= (async () => {
      // CommonJS modules whose export= typings hide the named classes they also export.
      const { MailService } = (await import('@sendgrid/mail')) as unknown as {
        MailService: new () => MailService;
      };
      const { Client } = (await import('@sendgrid/client')) as unknown as {
        Client: new () => SendGridClient;
      };
      const client = new Client();
      client.setApiKey(await this.options.apiKey());
      // setApiKey resets the base URL to the region host, so the override comes after it. In v8 the
      // request key is `baseUrl` (createRequest maps it to axios' baseURL).
      if (this.options.baseUrl) client.setDefaultRequest('baseUrl', this.options.baseUrl);
      const service = new MailService();
      service.setClient(client);
      service.setTimeout(this.options.timeoutMs);
      return service;
    })();
    this.service.catch(() => (this.service = undefined));
    return this.service;
  }

  async send(d: Dispatch, to: Destination): Promise<ProviderResult> {
    if (to.channel !== 'email') throw new Error(`SendGrid cannot deliver to ${to.channel}`);
    const mail = await this.mail();
    const body = renderEmail(d);
    try {
      const [response] = await mail.send({
        to: to.email,
        from: this.options.from,
        subject: body.subject,
        text: body.text,
        html: body.html,
        // Correlates Event Webhook events; ids only (SendGrid keeps custom_args as non-personal data).
        customArgs: { dispatch_id: d.dispatchId, alert_id: d.alertId },
        categories: [d.kind],
        mailSettings: { sandboxMode: { enable: this.options.sandbox } },
      });
      const id = (response.headers as Record<string, string | undefined>)['x-message-id'] ?? null;
      return { outcome: 'accepted', status: response.statusCode, providerMessageId: id };
    } catch (err) {
      const e = err as SendGridErrorShape;
      if (typeof e.code !== 'number' || !e.response) return networkFailure(err);
      const detail = (e.response.body?.errors ?? [])
        .map((x) => x.message ?? '')
        .join('; ')
        .slice(0, 300);
      if (e.code === 429 || e.code >= 500) {
        const now = (this.options.now ?? Date.now)();
        const reset = Number(e.response.headers?.['x-ratelimit-reset']);
        const retryAfterMs = Number.isFinite(reset)
          ? Math.max(0, reset * 1000 - now)
          : parseRetryAfter(e.response.headers?.['retry-after'], now);
        return { outcome: 'retryable', status: e.code, code: String(e.code), detail, retryAfterMs };
      }
      // 400 with an error on the `to` field is the recipient's address; the rest is ours or the account's.
      const recipientError =
        e.code === 400 && (e.response.body?.errors ?? []).some((x) => x.field?.includes('to') ?? false);
      return { outcome: 'permanent', status: e.code, code: String(e.code), detail, recipientError };
    }
  }
}
