/**
 * Sends webhooks the way Persona does: POST the JSON event, `Persona-Signature: t=<now>,v1=<hex HMAC-SHA256
 * of "t.body">` (one set per secret while a secret rotates), the attempt headers, and retries on anything
 * but 2xx with a fresh signature per attempt. It can also replay a captured delivery byte for byte and forge
 * one with the wrong secret, to show that both are refused.
 */
import type { Clock } from '../../shared/ports/clock';
import { personaSignatureHeader } from '../../shared/domain/kyc/signature';

export interface Delivery {
  body: string;
  signature: string;
  status: number;
  response: string;
  attempts: number;
}

export interface PersonaWebhookSenderOptions {
  url: string;
  /** The webhook's secret(s); two while Persona rotates it. */
  secrets: string[];
  clock: Clock;
  /** Attempts per event (Persona: up to 5). */
  maxAttempts?: number;
}

export class PersonaWebhookSender {
  readonly deliveries: Delivery[] = [];

  constructor(private readonly options: PersonaWebhookSenderOptions) {}

  /** Signs with the current time and POSTs; retries (re-signed) until 2xx or attempts run out. */
  async send(event: unknown, o: { secrets?: string[]; maxAttempts?: number } = {}): Promise<Delivery> {
    const body = JSON.stringify(event);
    const max = o.maxAttempts ?? this.options.maxAttempts ?? 5;
    const first = Math.floor(this.options.clock.now().getTime() / 1000);
    let last: Delivery | undefined;
    for (let attempt = 1; attempt <= max; attempt++) {
      const t = Math.floor(this.options.clock.now().getTime() / 1000);
      const signature = personaSignatureHeader(o.secrets ?? this.options.secrets, t, body);
      last = await this.post(body, signature, {
        'Persona-Webhook-Attempts-Made': String(attempt),
        'Persona-Webhook-Attempts-Left': String(max - attempt),
        'Persona-Webhook-First-Attempted-At': String(first),
      });
      last.attempts = attempt;
      if (last.status >= 200 && last.status < 300) break;
    }
    this.deliveries.push(last as Delivery);
    return last as Delivery;
  }

  /** The same bytes and header again, as an attacker who captured a delivery would send them. */
  async replay(previous: Delivery): Promise<Delivery> {
    const d = await this.post(previous.body, previous.signature, {});
    this.deliveries.push(d);
    return d;
  }

  /** Raw body and header exactly as given (tests of malformed deliveries). */
  async post(body: string | Buffer, signature: string | undefined, headers: Record<string, string>) {
    const res = await fetch(this.options.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Persona-Webhooks (local)',
        ...(signature === undefined ? {} : { 'Persona-Signature': signature }),
        ...headers,
      },
      body,
    });
    return {
      body: typeof body === 'string' ? body : body.toString('utf8'),
      signature: signature ?? '',
      status: res.status,
      response: await res.text(),
      attempts: 1,
    };
  }
}
