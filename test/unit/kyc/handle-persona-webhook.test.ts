import type { KycEventV1 } from '../../../shared/contracts/schema-types';
import { KYC_COLLECTIONS, type KycCaseDoc } from '../../../shared/domain/kyc/documents';
import { handlePersonaWebhook } from '../../../shared/use-cases/handle-persona-webhook';
import { CASE_COLLECTIONS, type CaseDoc } from '../../../shared/use-cases/cases/case-store';
import { RetryableError } from '../../../shared/platform/errors';
import type { EventBus } from '../../../shared/ports/event-bus';
import {
  ALICE_PII,
  ALICE_SECRETS,
  OLD_SECRET,
  SECRET,
  event,
  signed,
  webhookSetup,
} from '../../support/kyc-support';

const T0 = '2024-03-15T18:31:00.000Z';
const T1 = '2024-03-15T18:35:00.000Z';
const T2 = '2024-03-15T18:36:00.000Z';
const T3 = '2024-03-15T18:37:00.000Z';

async function caseOf(s: ReturnType<typeof webhookSetup>, id = 'user-alice') {
  return s.store.get<KycCaseDoc>(KYC_COLLECTIONS.cases, id);
}

describe('handlePersonaWebhook', () => {
  it('opens a case from a signed inquiry event, publishes kyc.events.v1 and records the row and the audit', async () => {
    const s = webhookSetup();
    const out = await handlePersonaWebhook(
      s.deps,
      signed(event('evt_Created1', 'inquiry.created', T0), s.clock),
    );
    expect(out).toEqual({
      accepted: true,
      outcome: 'applied',
      caseId: 'user-alice',
      eventId: 'evt_Created1',
    });
    const c = await caseOf(s);
    expect(c).toMatchObject({
      caseId: 'user-alice',
      status: 'created',
      inquiryId: 'inq_AliceFirstInquiry0001',
      lastEventId: 'evt_Created1',
      decidedAt: null,
      version: 1,
    });
    const published = s.bus.on<KycEventV1>('kyc.events.v1');
    expect(published).toEqual([
      expect.objectContaining({
        caseId: 'user-alice',
        fromStatus: null,
        toStatus: 'created',
        actor: 'personaWebhook',
      }),
    ]);
    expect(s.bus.messages[0].attributes).toEqual({
      eventId: published[0].eventId,
      caseId: 'user-alice',
      toStatus: 'created',
    });
    expect(s.warehouse.rows.get('compliance.kyc_events')).toEqual([
      expect.objectContaining({ event_id: published[0].eventId, to_status: 'created', from_status: null }),
    ]);
    const audit = await s.store.all(KYC_COLLECTIONS.audit);
    expect(audit.map((a) => a.data)).toEqual([
      expect.objectContaining({ actor: 'personaWebhook', action: 'webhook inquiry.created', applied: true }),
    ]);
  });

  it('opens the customer’s compliance case when Persona sends the inquiry to manual review, once', async () => {
    const s = webhookSetup();
    await handlePersonaWebhook(s.deps, signed(event('evt_C', 'inquiry.created', T0), s.clock));
    const cases = () => s.store.all(CASE_COLLECTIONS.cases);
    expect(await cases()).toEqual([]);
    const review = signed(event('evt_R', 'inquiry.marked-for-review', T1), s.clock);
    await handlePersonaWebhook(s.deps, review);
    await handlePersonaWebhook(s.deps, review);
    const [c] = (await cases()).map((d) => d.data as CaseDoc);
    expect(c).toMatchObject({ subjectId: 'user-alice', state: 'open', severity: 'WARNING' });
    expect(c.links).toEqual([
      expect.objectContaining({
        kind: 'kyc_review',
        at: T1,
        summary: 'KYC inquiry inq_AliceFirstInquiry0001 needs manual review',
      }),
    ]);
    expect(await cases()).toHaveLength(1);
    // Ids only: the case holds none of the inquiry's personal data.
    for (const secret of ALICE_SECRETS) expect(JSON.stringify(c)).not.toContain(secret);
  });

  it('walks the lifecycle and stamps the decision time used by the result cache', async () => {
    const s = webhookSetup();
    for (const [id, name, at] of [
      ['evt_C', 'inquiry.created', T0],
      ['evt_S', 'inquiry.started', T1],
      ['evt_D', 'inquiry.completed', T2],
      ['evt_A', 'inquiry.approved', T3],
    ])
      await handlePersonaWebhook(s.deps, signed(event(id, name, at), s.clock));
    expect(await caseOf(s)).toMatchObject({ status: 'approved', decidedAt: T3, version: 4 });
    expect(s.bus.on<KycEventV1>('kyc.events.v1').map((e) => `${e.fromStatus}→${e.toStatus}`)).toEqual([
      'null→created',
      'created→pending',
      'pending→completed',
      'completed→approved',
    ]);
  });

  it('applies a replayed event id once', async () => {
    const s = webhookSetup();
    const body = event('evt_Approved1', 'inquiry.approved', T1);
    await handlePersonaWebhook(s.deps, signed(body, s.clock));
    s.clock.advance(60_000); // Persona's retry is re-signed with a fresh t
    const again = await handlePersonaWebhook(s.deps, signed(body, s.clock));
    expect(again).toEqual({
      accepted: true,
      outcome: 'duplicate',
      caseId: 'user-alice',
      eventId: 'evt_Approved1',
    });
    expect(s.bus.on('kyc.events.v1')).toHaveLength(1);
    expect(s.warehouse.rows.get('compliance.kyc_events')).toHaveLength(1);
    expect((await caseOf(s))?.version).toBe(1);
  });

  it('never lets an older event overwrite a newer state (out-of-order delivery)', async () => {
    const s = webhookSetup();
    await handlePersonaWebhook(s.deps, signed(event('evt_A', 'inquiry.approved', T3), s.clock));
    const late = await handlePersonaWebhook(s.deps, signed(event('evt_D', 'inquiry.completed', T2), s.clock));
    const later = await handlePersonaWebhook(s.deps, signed(event('evt_C', 'inquiry.created', T0), s.clock));
    expect([late, later].map((r) => r.accepted && r.outcome)).toEqual(['older-event', 'older-event']);
    expect(await caseOf(s)).toMatchObject({ status: 'approved', lastEventId: 'evt_A', decidedAt: T3 });
    expect(s.bus.on<KycEventV1>('kyc.events.v1').map((e) => e.toStatus)).toEqual(['approved']);
    // The late events are still in the audit trail, marked as not applied.
    const audit = (await s.store.all<{ applied: boolean; reason: string }>(KYC_COLLECTIONS.audit)).map(
      (a) => a.data,
    );
    expect(audit.filter((a) => !a.applied).map((a) => a.reason)).toEqual(['older-event', 'older-event']);
  });

  it('breaks a same-instant tie by lifecycle order, whatever the arrival order', async () => {
    for (const order of [
      ['approved', 'completed'],
      ['completed', 'approved'],
    ]) {
      const s = webhookSetup();
      for (const st of order)
        await handlePersonaWebhook(s.deps, signed(event(`evt_${st}`, `inquiry.${st}`, T2), s.clock));
      expect((await caseOf(s))?.status).toBe('approved');
    }
  });

  it('lets a newer inquiry take over the case, and keeps a superseded inquiry from moving it', async () => {
    const s = webhookSetup();
    const second = { id: 'inq_AliceSecondInquiry02', createdAt: T2 };
    await handlePersonaWebhook(s.deps, signed(event('evt_1', 'inquiry.created', T0), s.clock));
    await handlePersonaWebhook(s.deps, signed(event('evt_2', 'inquiry.created', T2, second), s.clock));
    // The first inquiry expires after the second started: it must not drag the case back.
    const expired = await handlePersonaWebhook(
      s.deps,
      signed(event('evt_3', 'inquiry.expired', T3), s.clock),
    );
    expect(expired.accepted && expired.outcome).toBe('superseded-inquiry');
    expect(await caseOf(s)).toMatchObject({ inquiryId: second.id, status: 'created' });
  });

  it('reads kebab-case, camelCase and snake_case payloads alike, and both review event names', async () => {
    for (const inflection of ['kebab', 'camel', 'snake'] as const) {
      const s = webhookSetup();
      const body = event('evt_Review', 'inquiry.marked-for-review', T1, {}, inflection);
      expect(
        body.includes('reference-id') || body.includes('referenceId') || body.includes('reference_id'),
      ).toBe(true);
      const out = await handlePersonaWebhook(s.deps, signed(body, s.clock));
      expect([inflection, out.accepted && out.outcome, (await caseOf(s))?.status]).toEqual([
        inflection,
        'applied',
        'needs_review',
      ]);
    }
    const s = webhookSetup();
    await handlePersonaWebhook(s.deps, signed(event('evt_NR', 'inquiry.needs_review', T1), s.clock));
    expect((await caseOf(s))?.status).toBe('needs_review');
  });

  it('acknowledges and records a valid event type it does not act on', async () => {
    const s = webhookSetup();
    const out = await handlePersonaWebhook(
      s.deps,
      signed(event('evt_Tags', 'inquiry.updated-tags', T1), s.clock),
    );
    expect(out).toEqual({ accepted: true, outcome: 'ignored', caseId: null, eventId: 'evt_Tags' });
    expect(await s.store.get(KYC_COLLECTIONS.webhookEvents, 'evt_Tags')).toMatchObject({
      outcome: 'ignored',
      expireAt: new Date('2024-04-14T18:40:00Z'), // 30 days on, for the Firestore TTL policy
    });
    expect(await caseOf(s)).toBeUndefined();
    expect(s.bus.messages).toEqual([]);
  });

  it('refuses unsigned, forged, stale, future and tampered deliveries without touching anything', async () => {
    const s = webhookSetup();
    const body = event('evt_X', 'inquiry.approved', T1);
    const good = signed(body, s.clock);
    const cases = [
      [{ rawBody: Buffer.from(body), signatureHeader: undefined }, 'missing'],
      [signed(body, s.clock, ['wbhsec_wrong']), 'mismatch'],
      [signed(body, s.clock, [SECRET], -301), 'stale'],
      [signed(body, s.clock, [SECRET], 301), 'future'],
      [{ ...good, rawBody: Buffer.from(body.replace('user-alice', 'user-mallory')) }, 'mismatch'],
    ] as const;
    for (const [delivery, reason] of cases) {
      const out = await handlePersonaWebhook(s.deps, delivery);
      expect(out).toEqual({ accepted: false, reason });
    }
    expect(s.store.writes).toEqual([]);
    expect(s.bus.messages).toEqual([]);
    expect(s.warehouse.rows.size).toBe(0);
  });

  it('accepts a delivery signed during rotation (two sets) when we hold only one of the secrets', async () => {
    const s = webhookSetup();
    const out = await handlePersonaWebhook(
      s.deps,
      signed(event('evt_Rot', 'inquiry.approved', T1), s.clock, [OLD_SECRET, SECRET]),
    );
    expect(out.accepted).toBe(true);
  });

  it('refuses an oversized body before anything else', async () => {
    const s = webhookSetup();
    const body = event('evt_Big', 'inquiry.approved', T1, { personal: { note: 'x'.repeat(2_000_000) } });
    expect(await handlePersonaWebhook(s.deps, signed(body, s.clock))).toEqual({
      accepted: false,
      reason: 'too-large',
    });
    expect(s.store.writes).toEqual([]);
  });

  it('stores personal data only encrypted (AAD = case id) and never lets it reach store, logs, bus or warehouse', async () => {
    const s = webhookSetup();
    const body = event('evt_Done', 'inquiry.completed', T1, { personal: ALICE_PII });
    for (const secret of ALICE_SECRETS) expect(body).toContain(secret);
    await handlePersonaWebhook(s.deps, signed(body, s.clock));
    const c = (await caseOf(s)) as KycCaseDoc;
    expect(c.personalDataFields).toEqual(
      [
        'addressCity',
        'addressPostalCode',
        'addressStreet1',
        'birthdate',
        'emailAddress',
        'identificationNumber',
        'nameFirst',
        'nameLast',
        'nameMiddle',
        'phoneNumber',
      ].sort(),
    );
    const everything = JSON.stringify({
      writes: s.store.writes,
      logs: s.sink.lines,
      bus: s.bus.messages,
      rows: [...s.warehouse.rows.values()],
    });
    expect(s.store.writes.length).toBeGreaterThan(0);
    expect(s.sink.lines.length).toBeGreaterThan(0);
    for (const secret of ALICE_SECRETS)
      expect([secret, everything.includes(secret)]).toEqual([secret, false]);
    // The envelope opens with the case id as AAD, and only with it.
    const plain = JSON.parse(
      (await s.deps.cipher.decrypt(c.personalData!, 'user-alice')).toString(),
    ) as Record<string, unknown>;
    expect(plain).toMatchObject({
      nameFirst: 'Alicja',
      birthdate: '1987-11-23',
      identificationNumber: 'EH4471902',
    });
    await expect(s.deps.cipher.decrypt(c.personalData!, 'user-mallory')).rejects.toThrow();
  });

  it('does not lose a state change whose announcement failed: the retry of the same event delivers it', async () => {
    const s = webhookSetup();
    const body = event('evt_Appr', 'inquiry.approved', T1);
    s.bus.failNext = 1;
    await expect(handlePersonaWebhook(s.deps, signed(body, s.clock))).rejects.toThrow('publish failed');
    expect((await caseOf(s))?.status).toBe('approved'); // committed
    expect(s.bus.on('kyc.events.v1')).toHaveLength(0);
    const retry = await handlePersonaWebhook(s.deps, signed(body, s.clock));
    expect(retry.accepted && retry.outcome).toBe('duplicate');
    expect(s.bus.on<KycEventV1>('kyc.events.v1').map((e) => e.toStatus)).toEqual(['approved']);
    expect(s.warehouse.rows.get('compliance.kyc_events')).toHaveLength(1);
    // Delivered now: a third delivery publishes nothing more.
    await handlePersonaWebhook(s.deps, signed(body, s.clock));
    expect(s.bus.on('kyc.events.v1')).toHaveLength(1);
  });

  /** A bus whose publishes wait for `gate`: the first delivery is still announcing while others arrive. */
  function gatedBus(bus: EventBus, gate: Promise<void>): EventBus {
    return {
      publish: async (topic, message, options) => {
        await gate;
        return bus.publish(topic, message, options);
      },
      publishRaw: (topic, data, options) => bus.publishRaw(topic, data, options),
    };
  }

  it('a redelivery arriving while the first is still announcing is retried later (503), never announced twice', async () => {
    const s = webhookSetup();
    const body = event('evt_Slow', 'inquiry.approved', T1);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = handlePersonaWebhook({ ...s.deps, bus: gatedBus(s.bus, gate) }, signed(body, s.clock));
    while (!(await s.store.get(KYC_COLLECTIONS.webhookEvents, 'evt_Slow')))
      await new Promise((r) => setImmediate(r));
    await expect(handlePersonaWebhook(s.deps, signed(body, s.clock))).rejects.toBeInstanceOf(RetryableError);
    release();
    expect(await first).toMatchObject({ accepted: true, outcome: 'applied' });
    const later = await handlePersonaWebhook(s.deps, signed(body, s.clock));
    expect(later.accepted && later.outcome).toBe('duplicate');
    expect(s.bus.on('kyc.events.v1')).toHaveLength(1);
  });

  it('a redelivery takes over an announcement whose instance died, once its lease has lapsed', async () => {
    const s = webhookSetup();
    const body = event('evt_Dead', 'inquiry.approved', T1);
    // The first instance commits, then never finishes announcing (its process is gone).
    void handlePersonaWebhook(
      { ...s.deps, bus: gatedBus(s.bus, new Promise(() => undefined)) },
      signed(body, s.clock),
    );
    while (!(await s.store.get(KYC_COLLECTIONS.webhookEvents, 'evt_Dead')))
      await new Promise((r) => setImmediate(r));
    await expect(handlePersonaWebhook(s.deps, signed(body, s.clock))).rejects.toBeInstanceOf(RetryableError);
    s.clock.advance(30_001);
    const retry = await handlePersonaWebhook(s.deps, signed(body, s.clock));
    expect(retry.accepted && retry.outcome).toBe('duplicate');
    expect(s.bus.on<KycEventV1>('kyc.events.v1').map((e) => e.toStatus)).toEqual(['approved']);
  });

  it('fails transiently (so Persona retries) when the secret or the cipher is unavailable, changing nothing', async () => {
    const s = webhookSetup();
    const body = event('evt_Pii', 'inquiry.completed', T1, { personal: ALICE_PII });
    await expect(
      handlePersonaWebhook(
        { ...s.deps, webhookSecrets: () => Promise.reject(new Error('UNAVAILABLE')) },
        signed(body, s.clock),
      ),
    ).rejects.toThrow('UNAVAILABLE');
    const kmsDown = {
      encrypt: () => Promise.reject(new Error('KMS deadline exceeded')),
      decrypt: s.deps.cipher.decrypt,
    };
    await expect(handlePersonaWebhook({ ...s.deps, cipher: kmsDown }, signed(body, s.clock))).rejects.toThrow(
      'KMS deadline exceeded',
    );
    expect(s.store.writes).toEqual([]);
    const ok = await handlePersonaWebhook(s.deps, signed(body, s.clock));
    expect(ok.accepted && ok.outcome).toBe('applied');
  });
});
