/**
 * A local webhook receiver that behaves like a careful customer endpoint: it verifies the Standard
 * Webhooks signature of every request with its endpoint's own whsec_ secret (401 when wrong or stale),
 * de-duplicates by webhook-id (a resend is acknowledged but not processed twice), and can answer with
 * faults (429 with Retry-After, 503) from a plan.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyWebhook } from '../../shared/domain/notifications/standard-webhooks';
import type { Clock } from '../../shared/ports/clock';
import { listen, send, type RunningServer } from './http-server';
import { FaultPlan } from './sendgrid-server';

export interface ReceivedWebhook {
  endpoint: string;
  webhookId: string;
  body: unknown;
  receivedAt: number;
}

export interface WebhookReceiver extends RunningServer {
  /** Verified, first-time deliveries. */
  readonly received: ReceivedWebhook[];
  /** Verified resends of a webhook-id already processed. */
  duplicates: number;
  /** Requests refused for a missing, stale or wrong signature. */
  rejected: number;
  readonly faults: FaultPlan;
  /** The URL a given endpoint id is served on. */
  endpointUrl(endpoint: string): string;
  /** Serves one more endpoint, verified with its own secret; returns its URL. */
  addEndpoint(endpoint: string, secret: string): string;
}

export async function startWebhookReceiver(options: {
  /** whsec_ secret per endpoint id. */
  secrets: Record<string, string>;
  clock: Clock;
  faults?: FaultPlan;
  port?: number;
}): Promise<WebhookReceiver> {
  const secrets: Record<string, string> = { ...options.secrets };
  const received: ReceivedWebhook[] = [];
  const seen = new Set<string>();
  const faults = options.faults ?? new FaultPlan();
  const counts = { duplicates: 0, rejected: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const handler = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const m = /^\/hooks\/([\w-]+)$/.exec(req.url?.split('?')[0] ?? '');
    const secret = m ? secrets[m[1]] : undefined;
    if (req.method !== 'POST' || !m || !secret) return send(res, 404, 'text/plain', 'no such endpoint');
    const verdict = verifyWebhook(secret, req.headers, raw, Math.floor(options.clock.now().getTime() / 1000));
    if (!verdict.ok) {
      counts.rejected++;
      return send(res, 401, 'text/plain', verdict.reason);
    }
    const fault = faults.next();
    if (fault === 'http-429') {
      res.setHeader('retry-after', '1');
      return send(res, 429, 'text/plain', 'slow down');
    }
    if (fault) return send(res, fault === 'http-503' ? 503 : 500, 'text/plain', 'unavailable');
    const id = String(req.headers['webhook-id']);
    const key = `${m[1]}\u001f${id}`;
    if (seen.has(key)) {
      counts.duplicates++;
      return send(res, 204, 'text/plain', '');
    }
    seen.add(key);
    received.push({
      endpoint: m[1],
      webhookId: id,
      body: JSON.parse(raw) as unknown,
      receivedAt: Date.now(),
    });
    return send(res, 204, 'text/plain', '');
  };
  const server = await listen(handler, { port: options.port, timers });
  const receiver = Object.assign(server, {
    received,
    faults,
    endpointUrl: (endpoint: string) => `${server.url}/hooks/${endpoint}`,
    addEndpoint: (endpoint: string, secret: string) => {
      secrets[endpoint] = secret;
      return `${server.url}/hooks/${endpoint}`;
    },
  });
  // Live getters (Object.assign would copy the counts once).
  return Object.defineProperties(receiver, {
    duplicates: { get: () => counts.duplicates },
    rejected: { get: () => counts.rejected },
  }) as WebhookReceiver;
}
