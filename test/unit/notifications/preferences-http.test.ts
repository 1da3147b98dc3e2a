/**
 * notificationPreferences over HTTP, as the Functions Framework serves it: authentication (local tokens
 * here; Google ID tokens in production), authorisation (own preferences, or an administrator), validation
 * with every problem named, and clear 4xx answers.
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { notificationPreferencesHttp } from '../../../functions/notification-preferences/wiring';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { LocalTokenVerifier } from '../../../shared/adapters/identity/id-token-verifiers';
import { NOTIFICATION_COLLECTIONS as C, type RecipientDoc } from '../../../shared/domain/notifications/types';
import { ManualClock } from '../../../shared/platform/clocks';
import { CapturingSink } from '../../support/capturing-sink';
import { StructuredLogger } from '../../../shared/platform/logger';

const store = new MemoryDocumentStore();
const clock = new ManualClock('2020-03-12T12:00:00Z');
const sink = new CapturingSink();
ff.http(
  'notificationPreferences-test',
  notificationPreferencesHttp(async () => ({
    store,
    clock,
    logger: new StructuredLogger({ sink: sink.sink, projectId: 'p' }),
    admins: ['ops@desk.example'],
    verifier: new LocalTokenVerifier(),
  })),
);
const server = getTestServer('notificationPreferences-test');
const as = (who: string) => ({ Authorization: `Bearer local:${who}` });
const alice: RecipientDoc = {
  recipientId: 'alice',
  displayName: 'Alice',
  principal: 'alice@desk.example',
  contacts: { email: 'alice@desk.example', phone: '+447700900101' },
  preferences: { channels: ['email'], minSeverity: 'WARNING', quietHours: null },
};
const good = {
  channels: ['email', 'sms'],
  minSeverity: 'CRITICAL',
  quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/London', channels: ['sms'] },
};

beforeEach(async () => {
  await store.set(C.recipients, 'alice', alice);
});

describe('notificationPreferences HTTP', () => {
  it('lets a recipient read and replace their own preferences', async () => {
    const got = await request(server).get('/recipients/alice/preferences').set(as('alice@desk.example'));
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      recipientId: 'alice',
      preferences: alice.preferences,
      availableChannels: ['email', 'sms'],
    });
    const put = await request(server)
      .put('/recipients/alice/preferences')
      .set(as('alice@desk.example'))
      .send(good);
    expect(put.status).toBe(200);
    const stored = await store.get<RecipientDoc>(C.recipients, 'alice');
    expect(stored?.preferences).toEqual(good);
    expect(stored?.contacts).toEqual(alice.contacts); // contacts untouched
    expect(stored?.updatedAt).toBe('2020-03-12T12:00:00.000Z');
  });

  it('names every schema problem at once with 400', async () => {
    const res = await request(server)
      .put('/recipients/alice/preferences')
      .set(as('alice@desk.example'))
      .send({ channels: ['email', 'pager'], quietHours: { start: '10pm', end: '07:00', timeZone: 'UTC' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid notification preferences');
    expect(res.body.problems).toEqual(
      expect.arrayContaining([
        "(root) must have required property 'minSeverity'",
        '/channels/1 must be equal to one of the allowed values ["email","sms","webhook"]',
        '/quietHours/start must match pattern "^([01][0-9]|2[0-3]):[0-5][0-9]$"',
      ]),
    );
  });

  it('refuses an unknown time zone and a channel without a contact point', async () => {
    const res = await request(server)
      .put('/recipients/alice/preferences')
      .set(as('alice@desk.example'))
      .send({
        ...good,
        channels: ['email', 'webhook'],
        quietHours: { ...good.quietHours, timeZone: 'Mars/Olympus' },
      });
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([
      "/quietHours/timeZone 'Mars/Olympus' is not an IANA time zone",
      '/channels webhook has no contact point on this recipient',
    ]);
    expect((await store.get<RecipientDoc>(C.recipients, 'alice'))?.preferences).toEqual(alice.preferences);
  });

  it('answers 401 without a valid token, 403 for someone else’s preferences, 404 only to administrators', async () => {
    expect((await request(server).get('/recipients/alice/preferences')).status).toBe(401);
    const bad = await request(server)
      .get('/recipients/alice/preferences')
      .set('Authorization', 'Bearer nope');
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).toBe('Bearer');
    const other = await request(server)
      .put('/recipients/alice/preferences')
      .set(as('mallory@x.example'))
      .send(good);
    expect(other.status).toBe(403);
    expect(
      (await request(server).get('/recipients/ghost/preferences').set(as('mallory@x.example'))).status,
    ).toBe(403);
    expect(
      (await request(server).get('/recipients/ghost/preferences').set(as('ops@desk.example'))).status,
    ).toBe(404);
    const admin = await request(server).get('/?recipientId=alice').set(as('ops@desk.example'));
    expect(admin.status).toBe(200);
  });

  it('answers 405 for other methods and 415 for a body that is not JSON', async () => {
    const del = await request(server).delete('/recipients/alice/preferences').set(as('alice@desk.example'));
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe('GET, PUT');
    const text = await request(server)
      .put('/recipients/alice/preferences')
      .set(as('alice@desk.example'))
      .set('Content-Type', 'text/plain')
      .send('channels=email');
    expect(text.status).toBe(415);
  });

  it('logs no contact details or tokens', () => {
    const logs = sink.lines.join('\n');
    expect(logs).not.toContain('alice@desk.example');
    expect(logs).not.toContain('+447700900101');
  });
});
