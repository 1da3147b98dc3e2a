/**
 * A local server speaking Twilio's Messages API: POST /2010-04-01/Accounts/{Sid}/Messages.json with HTTP
 * basic auth (account sid : auth token) and a form body (To, From, Body); 201 with the message resource,
 * errors as {code, message, more_info, status}: 20003 auth, 21211 invalid To, 21610 unsubscribed,
 * 21614 not SMS-capable, 21606 From not owned, 20429 too many requests (HTTP 429). Twilio's test magic
 * numbers behave as documented (+15005550001 → 21211, +15005550004 → 21610, +15005550009 → 21614).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, send, type RunningServer } from './http-server';
import { FaultPlan } from './sendgrid-server';

export interface SentSms {
  sid: string;
  to: string;
  from: string;
  body: string;
  receivedAt: number;
}

export interface TwilioServer extends RunningServer {
  readonly messages: SentSms[];
  readonly faults: FaultPlan;
  requests: number;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const MAGIC_TO: Record<string, [number, string]> = {
  '+15005550001': [21211, "The 'To' number +15005550001 is not a valid phone number."],
  '+15005550002': [21612, "The 'To' phone number is not currently reachable via SMS."],
  '+15005550003': [
    21408,
    'Permission to send an SMS has not been enabled for the region indicated by the To number.',
  ],
  '+15005550004': [21610, 'Attempt to send to unsubscribed recipient'],
  '+15005550009': [21614, "'To' number is not a valid mobile number"],
};

function error(res: ServerResponse, status: number, code: number, message: string): void {
  send(
    res,
    status,
    'application/json',
    JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }),
  );
}

export async function startTwilioServer(options: {
  accountSid: string;
  authToken: string;
  /** Sender numbers the account owns. */
  from: string[];
  faults?: FaultPlan;
  port?: number;
}): Promise<TwilioServer> {
  const messages: SentSms[] = [];
  const faults = options.faults ?? new FaultPlan();
  const timers = new Set<NodeJS.Timeout>();
  const state = { requests: 0 };
  const path = `/2010-04-01/Accounts/${options.accountSid}/Messages.json`;
  const expectedAuth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const handler = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    state.requests++;
    if (req.method !== 'POST' || req.url?.split('?')[0] !== path)
      return error(res, 404, 20404, 'The requested resource was not found');
    if (req.headers.authorization !== expectedAuth) return error(res, 401, 20003, 'Authenticate');
    const fault = faults.next();
    if (fault === 'http-429') {
      res.setHeader('retry-after', '1');
      return error(res, 429, 20429, 'Too Many Requests');
    }
    if (fault) return error(res, fault === 'http-503' ? 503 : 500, 20500, 'Internal Server Error');
    const form = new URLSearchParams(raw);
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? '';
    const body = form.get('Body') ?? '';
    if (!to) return error(res, 400, 21604, "A 'To' phone number is required.");
    if (!body) return error(res, 400, 21602, 'Message body is required.');
    const magic = MAGIC_TO[to];
    if (magic) return error(res, 400, magic[0], magic[1]);
    if (!E164.test(to)) return error(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!options.from.includes(from))
      return error(
        res,
        400,
        21606,
        `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
      );
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const now = new Date().toUTCString();
    messages.push({ sid, to, from, body, receivedAt: Date.now() });
    send(
      res,
      201,
      'application/json',
      JSON.stringify({
        sid,
        account_sid: options.accountSid,
        to,
        from,
        body,
        status: 'queued',
        num_segments: String(Math.ceil(body.length / 153) || 1),
        direction: 'outbound-api',
        api_version: '2010-04-01',
        date_created: now,
        date_updated: now,
        date_sent: null,
        error_code: null,
        error_message: null,
        price: null,
        price_unit: 'USD',
        uri: `${path.replace('.json', '')}/${sid}.json`,
      }),
    );
  };
  const server = await listen(handler, { port: options.port, timers });
  return Object.defineProperty(Object.assign(server, { messages, faults }), 'requests', {
    get: () => state.requests,
  }) as TwilioServer;
}
