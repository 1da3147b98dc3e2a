/**
 * personaWebhook orders a case by Persona's created-at (the event's, and the inquiry's for a newer inquiry). A
 * signed event dated in the future is refused before the case is read: the operators are alerted (ids only),
 * nothing is written, and the answer is 503 so Persona keeps the event and retries; the real events after it
 * are applied.
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import type { KycEventV1, SchemaTypes } from '../../../shared/contracts/schema-types';
import { KYC_COLLECTIONS, type KycCaseDoc } from '../../../shared/domain/kyc/documents';
import { personaSignatureHeader } from '../../../shared/domain/kyc/signature';
import { handlePersonaWebhook } from '../../../shared/use-cases/handle-persona-webhook';
import { personaWebhookHttp } from '../../../functions/persona-webhook/wiring';
import { ALICE_PII, ALICE_SECRETS, SECRET, event, signed, webhookSetup } from '../../support/kyc-support';

type OperationsAlert = SchemaTypes['messages/alerts.operations.v1'];

const NOW = '2024-03-15T18:40:00.000Z';
const T1 = '2024-03-15T18:35:00.000Z';
const TOMORROW = '2024-03-16T18:40:00.000Z';

describe('personaWebhook: Persona created-at times are bounded', () => {
  it('refuses an event dated in the future without a write and alerts the operators; real events still apply', async () => {
    const s = webhookSetup(NOW);
    const out = await handlePersonaWebhook(
      s.deps,
      signed(event('evt_Future', 'inquiry.approved', TOMORROW, { personal: ALICE_PII }), s.clock),
    );
    expect(out).toMatchObject({ accepted: false, reason: 'event-time-in-future' });
    expect(s.store.writes).toEqual([]);
    const ops = s.bus.on<OperationsAlert>('alerts.operations.v1');
    expect(ops).toEqual([
      expect.objectContaining({
        kind: 'EVENT_TIME_IN_FUTURE',
        sourceTopic: 'persona-webhook',
        subjectKind: 'kyc-case',
        subjectId: 'user-alice',
        eventId: 'evt_Future',
        eventTimeField: 'createdAt',
        eventTime: TOMORROW,
        receivedAt: NOW,
        skewSeconds: 86_400,
        messageId: 'evt_Future',
      }),
    ]);
    // Ids only: none of the personal data the event carried.
    for (const secret of ALICE_SECRETS) expect(JSON.stringify(ops)).not.toContain(secret);

    // The real decline that follows is applied, not ignored as older than the refused approval.
    const real = await handlePersonaWebhook(
      s.deps,
      signed(event('evt_Declined', 'inquiry.declined', T1), s.clock),
    );
    expect(real).toMatchObject({ accepted: true, outcome: 'applied' });
    expect(await s.store.get<KycCaseDoc>(KYC_COLLECTIONS.cases, 'user-alice')).toMatchObject({
      status: 'declined',
      lastEventId: 'evt_Declined',
    });
    expect(s.bus.on<KycEventV1>('kyc.events.v1').map((e) => e.toStatus)).toEqual(['declined']);
  });

  it('refuses an inquiry created in the future (it would order inquiries), and accepts one within the skew', async () => {
    const s = webhookSetup(NOW);
    const aheadBy = (seconds: number) => new Date(Date.parse(NOW) + seconds * 1000).toISOString();
    const refused = await handlePersonaWebhook(
      s.deps,
      signed(
        event('evt_NewInq', 'inquiry.created', NOW, { id: 'inq_Later', createdAt: aheadBy(301) }),
        s.clock,
      ),
    );
    expect(refused).toMatchObject({ accepted: false, reason: 'event-time-in-future' });
    expect(s.bus.on<OperationsAlert>('alerts.operations.v1')).toEqual([
      expect.objectContaining({ eventTimeField: 'inquiryCreatedAt', eventTime: aheadBy(301) }),
    ]);
    const accepted = await handlePersonaWebhook(
      s.deps,
      signed(event('evt_Skewed', 'inquiry.created', aheadBy(300), { createdAt: aheadBy(300) }), s.clock),
    );
    expect(accepted).toMatchObject({ accepted: true, outcome: 'applied' });
  });

  it('refuses a created-at the schema admits but no clock can place (a leap second) as invalid, writing nothing', async () => {
    const s = webhookSetup(NOW);
    const out = await handlePersonaWebhook(
      s.deps,
      signed(event('evt_Leap', 'inquiry.approved', '2024-03-14T23:59:60Z'), s.clock),
    );
    expect(out).toMatchObject({ accepted: false, reason: 'event-time-invalid' });
    expect(s.store.writes).toEqual([]);
    expect(s.bus.messages).toEqual([]);
  });

  it('answers 503 over HTTP, so Persona retries; the retry is accepted once the event is no longer ahead', async () => {
    const s = webhookSetup(NOW);
    ff.http(
      'kycHttpFutureEvent',
      personaWebhookHttp(async () => s.deps),
    );
    const server = getTestServer('kycHttpFutureEvent');
    const body = event('evt_Ahead', 'inquiry.approved', TOMORROW);
    const post = () =>
      request(server)
        .post('/')
        .set('Content-Type', 'application/json')
        .set(
          'persona-signature',
          personaSignatureHeader([SECRET], Math.floor(s.clock.now().getTime() / 1000), body),
        )
        .send(body);
    const first = await post();
    expect([first.status, first.body]).toEqual([503, { error: 'event-time-in-future' }]);
    expect(s.store.writes).toEqual([]);
    s.clock.set(TOMORROW); // Persona's clock was right after all, or ours caught up
    const retry = await post();
    expect([retry.status, retry.body]).toEqual([200, { outcome: 'applied', eventId: 'evt_Ahead' }]);
  });
});
