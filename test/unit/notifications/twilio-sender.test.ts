/**
 * The real twilio client against a local server whose answers are timed: two SMS sends in flight on one
 * client, the first answered 503 without Retry-After after the second was answered 429 with Retry-After. Each
 * send must see only its own response's hint (a shared "last response" would hand the 429's to the 503).
 */
import { createServer, type Server } from 'node:http';
import { TwilioSmsSender } from '../../../shared/adapters/notifications/twilio-sms-sender';
import type { Dispatch } from '../../../shared/domain/notifications/types';
import { loadFixtures } from '../contracts/schema-fixtures';

const dispatch = loadFixtures('messages/notifications.dispatch.v1').base as Dispatch;

describe('TwilioSmsSender', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const to = new URLSearchParams(body).get('To');
        const answer = (status: number, code: number, headers: Record<string, string>) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify({ status, code, message: `status ${status}` }));
        };
        // +447700900001 waits, then 503 without a hint; +447700900002 is answered at once: 429, retry in 7 s.
        if (to === '+447700900001') setTimeout(() => answer(503, 20500, {}), 150);
        else if (to === '+447700900003')
          answer(400, 21611, {}); // the From number's queue is full
        else if (to === '+447700900004')
          answer(400, 21610, {}); // the recipient opted out
        else answer(429, 20429, { 'retry-after': '7' });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('gives each concurrent send the Retry-After of its own response', async () => {
    const sender = new TwilioSmsSender({
      accountSid: 'AC0123456789abcdef0123456789abcdef',
      authToken: async () => 'token',
      from: '+15005550006',
      baseUrl: url,
      timeoutMs: 5_000,
    });
    const [slow, fast] = await Promise.all([
      sender.send(dispatch, { channel: 'sms', phone: '+447700900001' }),
      sender.send(dispatch, { channel: 'sms', phone: '+447700900002' }),
    ]);
    expect(fast).toMatchObject({ outcome: 'retryable', status: 429, retryAfterMs: 7_000 });
    expect(slow).toMatchObject({ outcome: 'retryable', status: 503 });
    expect((slow as { retryAfterMs?: number }).retryAfterMs).toBeUndefined();
  });

  it("retries when the sender's queue is full (back-pressure), but not an opted-out recipient", async () => {
    const sender = new TwilioSmsSender({
      accountSid: 'AC0123456789abcdef0123456789abcdef',
      authToken: async () => 'token',
      from: '+15005550006',
      baseUrl: url,
      timeoutMs: 5_000,
    });
    expect(await sender.send(dispatch, { channel: 'sms', phone: '+447700900003' })).toMatchObject({
      outcome: 'retryable',
      status: 400,
      code: '21611',
    });
    expect(await sender.send(dispatch, { channel: 'sms', phone: '+447700900004' })).toMatchObject({
      outcome: 'permanent',
      status: 400,
      code: '21610',
      recipientError: true,
    });
  });
});
