/**
 * E-mail through SendGrid v3 Mail Send with @sendgrid/mail (loaded lazily). The client never retries and
 * rejects every status ≥ 400 with ResponseError; this adapter classifies: 429 (wait for X-RateLimit-Reset)
 * and 5xx are retryable, other 4xx permanent. Sandbox mode validates without delivering (200 instead of 202).
 *
 * E-mails sent while others of the same category are being sent go together (a group commit, see TurnBatch):
 * one request with the shared layout once and one personalization per e-mail (its address, subject,
 * substitutions and custom_args), up to `batchSize`. Each dispatch is still claimed and settled on its own; only
 * the HTTP request is shared, so the answer applies to every e-mail in it. A batch refused with a 4xx other than
 * 429 is sent again one e-mail per request, so one bad address fails only its own dispatch.
 */
import type { NotificationSender } from '../../ports/notification-sender';
import type { Destination, ProviderResult } from '../../domain/notifications/delivery';
import { parseRetryAfter } from '../../domain/notifications/delivery';
import {
  EMAIL_LAYOUT,
  emailFields,
  renderEmail,
  type EmailFields,
} from '../../domain/notifications/templates';
import type { Dispatch } from '../../domain/notifications/types';
import { TurnBatch } from '../../platform/turn-batch';
import { networkFailure } from './network-errors';

export interface SendGridOptions {
  apiKey: () => Promise<string>;
  from: string;
  sandbox: boolean;
  /** e.g. http://127.0.0.1:PORT/ for the local server; default api.sendgrid.com. */
  baseUrl?: string;
  timeoutMs: number;
  now?: () => number;
  /** Personalizations per request (SendGrid allows 1,000); 1 sends every e-mail alone. Default 100. */
  batchSize?: number;
  /** Requests per category in flight at once before e-mails queue for the next; default 4. */
  maxInFlight?: number;
}

interface Email {
  d: Dispatch;
  to: string;
}

type MailService = import('@sendgrid/mail').MailService;
type MailData = import('@sendgrid/helpers/classes/mail').MailData;
type MailDataRequired = import('@sendgrid/helpers/classes/mail').MailDataRequired;
type SendGridClient = import('@sendgrid/client/src/client').Client;

interface SendGridErrorShape {
  code?: number;
  message?: string;
  response?: { headers?: Record<string, string>; body?: { errors?: { message?: string; field?: string }[] } };
}

/** A value SendGrid would read as a tag: such an e-mail goes alone, fully rendered. */
const TAGGED = /\{\{|\}\}/;

export class SendGridEmailSender implements NotificationSender {
  readonly provider = 'sendgrid' as const;
  private service?: Promise<MailService>;
  /** One gatherer per category: a request carries one category for all its e-mails. */
  private readonly batches = new Map<string, TurnBatch<Email, ProviderResult>>();

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
    const size = this.options.batchSize ?? 100;
    if (size <= 1) return this.sendAlone({ d, to: to.email });
    let batch = this.batches.get(d.kind);
    if (!batch) {
      batch = new TurnBatch<Email, ProviderResult>((emails) => this.sendMany(emails), size, {
        maxInFlight: this.options.maxInFlight ?? 4,
      });
      this.batches.set(d.kind, batch);
    }
    return batch.add({ d, to: to.email });
  }

  /** One request for the e-mails that can share the layout; the others alone, at the same time. */
  private async sendMany(emails: Email[]): Promise<ProviderResult[]> {
    if (emails.length === 1) return [await this.sendAlone(emails[0])];
    const shaped = emails.map((e) => {
      const f = emailFields(e.d);
      return { e, f, alone: tagged(f) };
    });
    const together = shaped.filter((x) => !x.alone);
    if (together.length < 2) return Promise.all(emails.map((e) => this.sendAlone(e)));
    const shared = this.sendTogether(together);
    return Promise.all(
      shaped.map((x) => (x.alone ? this.sendAlone(x.e) : shared.then((r) => r.get(x.e) as ProviderResult))),
    );
  }

  /** One request, one personalization each; a refused one may be one bad address, so each is resent alone. */
  private async sendTogether(emails: { e: Email; f: EmailFields }[]): Promise<Map<Email, ProviderResult>> {
    const r = await this.request(emails[0].e.d.kind, {
      personalizations: emails.map(({ e, f }) => ({
        to: e.to,
        subject: f.subject,
        substitutions: f.fields,
        customArgs: idsOf(e.d),
      })),
      text: EMAIL_LAYOUT.text,
      html: EMAIL_LAYOUT.html,
    });
    const results =
      r.outcome === 'permanent'
        ? await Promise.all(emails.map((x) => this.sendAlone(x.e)))
        : emails.map(() => r);
    return new Map(emails.map((x, i) => [x.e, results[i]]));
  }

  private sendAlone({ d, to }: Email): Promise<ProviderResult> {
    return this.request(d.kind, { to, ...renderEmail(d), customArgs: idsOf(d) });
  }

  /** Mail Send with what every request carries: the sender, the category and the sandbox setting. */
  private async request(
    kind: string,
    message: Omit<MailData, 'from' | 'categories' | 'mailSettings'>,
  ): Promise<ProviderResult> {
    const mail = await this.mail();
    return this.answer(() =>
      mail.send({
        ...message,
        from: this.options.from,
        categories: [kind],
        mailSettings: { sandboxMode: { enable: this.options.sandbox } },
      } as MailDataRequired),
    );
  }

  private async answer(
    request: () => Promise<[{ statusCode: number; headers: unknown }, unknown]>,
  ): Promise<ProviderResult> {
    try {
      const [response] = await request();
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

const tagged = (f: EmailFields) =>
  TAGGED.test(f.subject) || Object.values(f.fields).some((v) => TAGGED.test(v));

/** Correlates Event Webhook events; ids only (SendGrid keeps custom_args as non-personal data). */
const idsOf = (d: Dispatch) => ({ dispatch_id: d.dispatchId, alert_id: d.alertId });
