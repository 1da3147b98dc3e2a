/**
 * A local server speaking SendGrid's v3 Mail Send wire format: POST /v3/mail/send with a Bearer API key,
 * 202 Accepted with X-Message-Id (200 in sandbox mode, nothing delivered), 400 with `errors[]` naming the
 * field, 401 for a wrong key, X-RateLimit-* headers on every answer and 429 until X-RateLimit-Reset. One
 * e-mail is recorded per personalization, with its subject and its substitutions applied to the shared content.
 * Faults (429, 503) are scripted or drawn from a seeded stream, like the other local providers.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { seededRandom } from '../seeded-random';
import { listen, send, type RunningServer } from './http-server';

/** Failures a local provider server can answer with instead of processing the request. */
export type ProviderFault = 'http-429' | 'http-503' | 'http-500';

/** Scripted faults first (one per request, in order), then seeded odds; shared by the local providers. */
export class FaultPlan {
  private readonly script: ProviderFault[];
  private readonly random: () => number;
  readonly injected = new Map<ProviderFault, number>();

  constructor(
    options: { script?: ProviderFault[]; odds?: Partial<Record<ProviderFault, number>>; seed?: number } = {},
    private odds = options.odds ?? {},
  ) {
    this.script = [...(options.script ?? [])];
    this.random = seededRandom(options.seed ?? 7);
  }

  /** Queue faults for the next requests (tests). */
  failNext(...faults: ProviderFault[]): void {
    this.script.push(...faults);
  }

  setOdds(odds: Partial<Record<ProviderFault, number>>): void {
    this.odds = odds;
  }

  next(): ProviderFault | undefined {
    let fault = this.script.shift();
    if (!fault) {
      const u = this.random();
      let acc = 0;
      for (const [f, p] of Object.entries(this.odds) as [ProviderFault, number][]) {
        acc += p;
        if (u < acc) {
          fault = f;
          break;
        }
      }
    }
    if (fault) this.injected.set(fault, (this.injected.get(fault) ?? 0) + 1);
    return fault;
  }

  total(): number {
    return [...this.injected.values()].reduce((a, b) => a + b, 0);
  }
}

export interface SentEmail {
  messageId: string;
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  customArgs: Record<string, string>;
  sandbox: boolean;
  receivedAt: number;
}

export interface SendGridServer extends RunningServer {
  /** Accepted messages (202), sandboxed ones (200) flagged. */
  readonly emails: SentEmail[];
  readonly faults: FaultPlan;
  /** Every request, answered or not. */
  requests: number;
}

interface Personalization {
  to?: { email?: string }[];
  subject?: string;
  substitutions?: Record<string, string>;
  custom_args?: Record<string, string>;
}

interface MailBody {
  personalizations?: Personalization[];
  from?: { email?: string };
  subject?: string;
  content?: { type?: string; value?: string }[];
  custom_args?: Record<string, string>;
  mail_settings?: { sandbox_mode?: { enable?: boolean } };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function problems(body: MailBody): { message: string; field: string }[] {
  const out: { message: string; field: string }[] = [];
  if (!Array.isArray(body.personalizations) || body.personalizations.length === 0)
    out.push({ message: 'The personalizations field is required.', field: 'personalizations' });
  body.personalizations?.forEach((p, i) =>
    (p.to ?? []).forEach((t, j) => {
      if (!t.email || !EMAIL.test(t.email))
        out.push({
          message: 'Does not contain a valid address.',
          field: `personalizations.${i}.to.${j}.email`,
        });
    }),
  );
  if (!body.from?.email || !EMAIL.test(body.from.email))
    out.push({ message: 'The from email does not contain a valid address.', field: 'from.email' });
  if (!body.subject && !(body.personalizations ?? []).every((p) => p.subject))
    out.push({ message: 'The subject is required.', field: 'subject' });
  if ((body.personalizations?.length ?? 0) > 1000)
    out.push({ message: 'The personalizations field may not exceed 1000 items.', field: 'personalizations' });
  if (!Array.isArray(body.content) || body.content.length === 0)
    out.push({
      message: 'The content value must be a string at least one character in length.',
      field: 'content',
    });
  return out;
}

export async function startSendGridServer(options: {
  apiKey: string;
  faults?: FaultPlan;
  port?: number;
}): Promise<SendGridServer> {
  const emails: SentEmail[] = [];
  const faults = options.faults ?? new FaultPlan();
  const timers = new Set<NodeJS.Timeout>();
  const state = { requests: 0 };
  const rateHeaders = (res: ServerResponse, remaining: number, resetS: number) => {
    res.setHeader('x-ratelimit-limit', '600');
    res.setHeader('x-ratelimit-remaining', String(remaining));
    res.setHeader('x-ratelimit-reset', String(resetS));
  };
  const json = (res: ServerResponse, status: number, value: unknown) =>
    send(res, status, 'application/json', JSON.stringify(value));
  const handler = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    state.requests++;
    const resetS = Math.floor(Date.now() / 1000) + 1;
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v3/mail/send')
      return json(res, 404, { errors: [{ message: 'not found', field: null }] });
    if (req.headers.authorization !== `Bearer ${options.apiKey}`)
      return json(res, 401, {
        errors: [
          { message: 'The provided authorization grant is invalid, expired, or revoked', field: null },
        ],
      });
    const fault = faults.next();
    if (fault === 'http-429') {
      rateHeaders(res, 0, resetS);
      return json(res, 429, { errors: [{ message: 'too many requests', field: null }] });
    }
    if (fault)
      return json(res, fault === 'http-503' ? 503 : 500, {
        errors: [{ message: 'service unavailable', field: null }],
      });
    let body: MailBody;
    try {
      body = JSON.parse(raw) as MailBody;
    } catch {
      return json(res, 400, { errors: [{ message: 'Bad Request', field: null }] });
    }
    const wrong = problems(body);
    rateHeaders(res, 599, resetS);
    if (wrong.length) return json(res, 400, { errors: wrong });
    const sandbox = body.mail_settings?.sandbox_mode?.enable === true;
    const messageId = randomBytes(11).toString('base64url');
    const text = body.content?.find((c) => c.type === 'text/plain')?.value ?? '';
    const html = body.content?.find((c) => c.type === 'text/html')?.value ?? '';
    // One e-mail per personalization: its subject and substitutions over the shared content.
    for (const p of body.personalizations ?? []) {
      const fill = (s: string) =>
        Object.entries(p.substitutions ?? {}).reduce((out, [tag, value]) => out.split(tag).join(value), s);
      emails.push({
        messageId,
        to: (p.to ?? []).map((t) => t.email ?? ''),
        from: body.from?.email ?? '',
        subject: fill(p.subject ?? body.subject ?? ''),
        text: fill(text),
        html: fill(html),
        customArgs: { ...(body.custom_args ?? {}), ...(p.custom_args ?? {}) },
        sandbox,
        receivedAt: Date.now(),
      });
    }
    if (sandbox) return json(res, 200, {});
    res.setHeader('x-message-id', messageId);
    return send(res, 202, 'text/plain', '');
  };
  const server = await listen(handler, { port: options.port, timers });
  // A live getter (Object.assign would copy the count once).
  return Object.defineProperty(Object.assign(server, { emails, faults }), 'requests', {
    get: () => state.requests,
  }) as SendGridServer;
}
