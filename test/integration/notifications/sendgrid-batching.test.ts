/**
 * E-mails sent together share one SendGrid request (one personalization each), through the real @sendgrid/mail
 * client against the local Mail Send server: each recipient gets exactly the e-mail a request of its own would
 * have carried, one bad address fails only itself, and a failed request fails every e-mail in it the same way.
 */
import { SendGridEmailSender } from '../../../shared/adapters/notifications/sendgrid-email-sender';
import { renderEmail } from '../../../shared/domain/notifications/templates';
import type { ProviderResult } from '../../../shared/domain/notifications/delivery';
import type { Dispatch, MarginAlert } from '../../../shared/domain/notifications/types';
import {
  FaultPlan,
  startSendGridServer,
  type SendGridServer,
} from '../../../local-stack/providers/sendgrid-server';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { loadFixtures } from '../../unit/contracts/schema-fixtures';

const KEY = 'SG.batch-test';
const base = loadFixtures('messages/notifications.dispatch.v1').base as Dispatch;
const margin = loadFixtures('messages/alerts.margin.v1').good[0].value as MarginAlert;

/** A margin-call e-mail of its own alert and dispatch, for portfolio `pf`. */
function dispatch(i: number, over: Partial<MarginAlert> = {}, kind = 'margin.MARGIN_CALL'): Dispatch {
  const alert = { ...margin, portfolioId: `pf-${i}`, eventId: `me-${i}`, healthScore: 1 + i / 10, ...over };
  return { ...base, dispatchId: `nd-${i}`, alertId: alert.eventId, kind, alert };
}

let server: SendGridServer;
beforeEach(async () => {
  server = await startSendGridServer({ apiKey: KEY, faults: new FaultPlan() });
});
afterEach(async () => {
  await server.close();
});

const sender = (over: { batchSize?: number; maxInFlight?: number } = {}) =>
  new SendGridEmailSender({
    apiKey: async () => KEY,
    from: 'alerts@fusion-risk.example',
    sandbox: false,
    baseUrl: `${server.url}/`,
    timeoutMs: 5_000,
    ...over,
  });

const sendAll = (s: SendGridEmailSender, ds: Dispatch[], to = (i: number) => `owner${i}@example.com`) =>
  Promise.all(ds.map((d, i) => s.send(d, { channel: 'email', email: to(i) })));

it('sends the e-mails of one turn as one request, each exactly as it would have gone alone', async () => {
  const ds = Array.from({ length: 5 }, (_, i) => dispatch(i));
  const results = await sendAll(sender(), ds);
  expect(server.requests).toBe(1);
  expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('accepted'));
  expect(new Set(results.map((r) => (r as { providerMessageId: string }).providerMessageId)).size).toBe(1);
  expect(server.emails).toHaveLength(5);
  ds.forEach((d, i) => {
    const e = server.emails.find((m) => m.customArgs.dispatch_id === d.dispatchId);
    const alone = renderEmail(d);
    expect(e).toMatchObject({
      to: [`owner${i}@example.com`],
      subject: alone.subject,
      text: alone.text,
      html: alone.html,
      customArgs: { dispatch_id: d.dispatchId, alert_id: d.alertId },
    });
  });
});

it('one e-mail goes alone, and batchSize 1 sends every e-mail in a request of its own', async () => {
  await sendAll(sender(), [dispatch(1)]);
  expect(server.requests).toBe(1);
  await sendAll(sender({ batchSize: 1 }), [dispatch(2), dispatch(3), dispatch(4)]);
  expect(server.requests).toBe(4);
  expect(server.emails.map((e) => e.text)).toEqual([1, 2, 3, 4].map((i) => renderEmail(dispatch(i)).text));
});

it('keeps categories apart and caps a request at batchSize', async () => {
  const ds = [
    ...Array.from({ length: 5 }, (_, i) => dispatch(i)),
    dispatch(10, {}, 'margin.LIQUIDATION'),
    dispatch(11, {}, 'margin.LIQUIDATION'),
  ];
  await sendAll(sender({ batchSize: 2 }), ds);
  // MARGIN_CALL: 2 + 2 + 1; LIQUIDATION: 2
  expect(server.requests).toBe(4);
  expect(server.emails).toHaveLength(7);
});

it('gathers what arrives while every request slot is busy into the next request', async () => {
  const s = sender({ maxInFlight: 1 });
  const first = s.send(dispatch(0), { channel: 'email', email: 'a@example.com' });
  await new Promise((r) => setImmediate(r)); // the first request is out
  const later = sendAll(
    s,
    [1, 2, 3].map((i) => dispatch(i)),
  );
  await Promise.all([first, later]);
  expect(server.requests).toBe(2);
  expect(server.emails.map((e) => e.messageId).filter((id, i, all) => all.indexOf(id) === i)).toHaveLength(2);
});

it('a value SendGrid would read as a tag makes its e-mail go alone, fully rendered', async () => {
  const hostile = dispatch(9, { portfolioId: 'pf-{{lines_html}}' });
  const ds = [dispatch(1), hostile, dispatch(2)];
  await sendAll(sender(), ds);
  expect(server.requests).toBe(2);
  const e = server.emails.find((m) => m.customArgs.dispatch_id === hostile.dispatchId);
  expect(e?.text).toBe(renderEmail(hostile).text);
  expect(e?.text).toContain('pf-{{lines_html}}');
});

it('a refused batch is sent again one by one: only the bad address fails', async () => {
  const ds = [dispatch(1), dispatch(2), dispatch(3)];
  const results = await sendAll(sender(), ds, (i) => (i === 1 ? 'not-an-address' : `owner${i}@example.com`));
  expect(server.requests).toBe(4); // the batch, then three alone
  expect(results.map((r) => r.outcome)).toEqual(['accepted', 'permanent', 'accepted']);
  expect(results[1]).toMatchObject({ status: 400, recipientError: true });
  expect(server.emails.map((e) => e.customArgs.dispatch_id).sort()).toEqual(['nd-1', 'nd-3']);
});

it('a failed request answers every e-mail in it the same: 503 retryable, 429 with the reset', async () => {
  server.faults.failNext('http-503');
  const failed: ProviderResult[] = await sendAll(sender(), [dispatch(1), dispatch(2)]);
  expect(failed.map((r) => [r.outcome, r.status])).toEqual([
    ['retryable', 503],
    ['retryable', 503],
  ]);
  server.faults.failNext('http-429');
  const limited = await sendAll(sender(), [dispatch(3), dispatch(4)]);
  expect(limited.map((r) => r.outcome)).toEqual(['retryable', 'retryable']);
  expect(limited.every((r) => r.outcome === 'retryable' && r.retryAfterMs !== undefined)).toBe(true);
  expect(server.emails).toHaveLength(0);
});

it('a request with no answer leaves every e-mail in it ambiguous, so none is sent twice', async () => {
  // Accepts the connection and the request, never answers: the outcome at SendGrid is unknown.
  const sockets: Socket[] = [];
  const silent = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const s = new SendGridEmailSender({
      apiKey: async () => KEY,
      from: 'alerts@fusion-risk.example',
      sandbox: false,
      baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`,
      timeoutMs: 300,
    });
    const results = await sendAll(s, [dispatch(1), dispatch(2)]);
    expect(results.map((r) => r.outcome)).toEqual(['ambiguous', 'ambiguous']);
  } finally {
    silent.close();
    for (const socket of sockets) socket.destroy();
  }
});
