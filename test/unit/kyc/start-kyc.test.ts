/**
 * startKyc against the local Persona REST server through the real fetch client: server-side creation with
 * an Idempotency-Key, reuse of an open inquiry, the 24-hour decision cache, and the HTTP entry point.
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { startKycHttp } from '../../../functions/start-kyc/wiring';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { LocalTokenVerifier } from '../../../shared/adapters/identity/id-token-verifiers';
import { PersonaApiClient } from '../../../shared/adapters/persona/persona-api-client';
import { KYC_COLLECTIONS, type KycCaseDoc } from '../../../shared/domain/kyc/documents';
import {
  startPersonaApiServer,
  type PersonaApiServer,
} from '../../../local-stack/providers/persona-api-server';
import { ManualClock } from '../../../shared/platform/clocks';
import { PermanentError, RetryableError } from '../../../shared/platform/errors';
import { CapturingSink } from '../../support/capturing-sink';
import { StructuredLogger } from '../../../shared/platform/logger';
import { startKyc, type StartKycDeps } from '../../../shared/use-cases/start-kyc';

const API_KEY = 'persona_sandbox_test_key_0123456789';
const TEMPLATE = 'itmpl_TestTemplate';

let persona: PersonaApiServer;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock('2024-03-15T12:00:00Z');
  persona = await startPersonaApiServer({ clock, apiKey: API_KEY });
});
afterEach(() => persona.close());

function deps(over: Partial<StartKycDeps> = {}): StartKycDeps & { store: MemoryDocumentStore } {
  return {
    store: new MemoryDocumentStore(),
    clock,
    logger: new StructuredLogger({ sink: new CapturingSink().sink }),
    persona: new PersonaApiClient({
      baseUrl: persona.url,
      apiKey: async () => API_KEY,
      version: '2025-10-27',
    }),
    config: { inquiryTemplateId: TEMPLATE, cacheHours: 24 },
    ...over,
  } as StartKycDeps & { store: MemoryDocumentStore };
}

/** What the webhook would have written after Persona decided. */
async function decided(d: StartKycDeps, inquiryId: string, status: KycCaseDoc['status'], at: string) {
  await d.store.set(KYC_COLLECTIONS.cases, 'user-bob', {
    caseId: 'user-bob',
    referenceId: 'user-bob',
    status,
    inquiryId,
    inquiryCreatedAt: at,
    lastEventId: 'evt_X',
    lastEventAt: at,
    decidedAt: ['approved', 'declined'].includes(status) ? at : null,
    updatedAt: at,
    personalDataFields: [],
    personalData: null,
    version: 3,
  } satisfies KycCaseDoc);
}

describe('startKyc', () => {
  it('creates an inquiry server-side for the user, with the user id as reference id', async () => {
    const d = deps();
    const out = await startKyc(d, { userId: 'user-bob', requestedBy: 'onboarding-service' });
    expect(out).toMatchObject({ source: 'new-inquiry', userId: 'user-bob', status: 'created' });
    const inquiry = persona.inquiries.get(out.inquiryId);
    expect(inquiry).toMatchObject({ referenceId: 'user-bob', templateId: TEMPLATE, status: 'created' });
    const audit = await d.store.query(KYC_COLLECTIONS.audit, []);
    expect(audit.map((a) => a.data)).toEqual([
      expect.objectContaining({ caseId: 'user-bob', actor: 'onboarding-service', inquiryId: out.inquiryId }),
    ]);
  });

  it('never opens a second inquiry for a retried request: same Idempotency-Key, same inquiry', async () => {
    const a = deps();
    const first = await startKyc(a, { userId: 'user-bob', requestId: 'req-1' });
    // A second instance (empty local record) repeating the request relies on Persona's idempotency.
    const b = deps();
    const second = await startKyc(b, { userId: 'user-bob', requestId: 'req-1' });
    expect(second.inquiryId).toBe(first.inquiryId);
    expect(persona.stats).toMatchObject({ created: 1, idempotentReplays: 1 });
    // The same instance answers from its own record without calling Persona again.
    const third = await startKyc(a, { userId: 'user-bob', requestId: 'req-1' });
    expect(third.inquiryId).toBe(first.inquiryId);
    expect(persona.stats.idempotentReplays).toBe(1);
    // A different request id is a different request.
    const other = await startKyc(a, { userId: 'user-carol', requestId: 'req-1' });
    expect(other.inquiryId).not.toBe(first.inquiryId);
  });

  it('serves a decision younger than 24 hours from the case, and opens a new inquiry after that', async () => {
    const d = deps();
    const first = await startKyc(d, { userId: 'user-bob' });
    await decided(d, first.inquiryId, 'approved', '2024-03-15T12:10:00.000Z');
    clock.set('2024-03-16T12:09:59Z');
    expect(await startKyc(d, { userId: 'user-bob' })).toEqual({
      source: 'cache',
      userId: 'user-bob',
      status: 'approved',
      inquiryId: first.inquiryId,
      decidedAt: '2024-03-15T12:10:00.000Z',
    });
    expect(persona.stats.created).toBe(1);
    clock.set('2024-03-16T12:10:01Z');
    const again = await startKyc(d, { userId: 'user-bob' });
    expect(again.source).toBe('new-inquiry');
    expect(again.inquiryId).not.toBe(first.inquiryId);
    expect(persona.stats.created).toBe(2);
  });

  it('forceNew bypasses the cache', async () => {
    const d = deps();
    const first = await startKyc(d, { userId: 'user-bob' });
    await decided(d, first.inquiryId, 'declined', '2024-03-15T12:10:00.000Z');
    const forced = await startKyc(d, { userId: 'user-bob', forceNew: true });
    expect(forced.source).toBe('new-inquiry');
  });

  it('reuses an inquiry still open with Persona, and replaces one Persona has expired', async () => {
    const d = deps();
    const first = await startKyc(d, { userId: 'user-bob' });
    await decided(d, first.inquiryId, 'pending', '2024-03-15T12:01:00.000Z');
    expect(await startKyc(d, { userId: 'user-bob' })).toEqual({
      source: 'open-inquiry',
      userId: 'user-bob',
      status: 'created',
      inquiryId: first.inquiryId,
    });
    await persona.advance(first.inquiryId, 'inquiry.expired');
    const next = await startKyc(d, { userId: 'user-bob' });
    expect(next.source).toBe('new-inquiry');
    expect(next.inquiryId).not.toBe(first.inquiryId);
  });

  it('through HTTP: 401 without an identity, 201 for a new inquiry, 200 from cache, 400 for a bad body, 502 when Persona refuses', async () => {
    const d = deps();
    const verifier = new LocalTokenVerifier();
    ff.http(
      'startKycTest',
      startKycHttp(async () => ({ ...d, verifier })),
    );
    const server = getTestServer('startKycTest');
    const post = () => request(server).post('/').set('Authorization', 'Bearer local:onboarding@desk.example');
    const anonymous = await request(server).post('/').send({ userId: 'user-bob' });
    expect(anonymous.status).toBe(401);
    const forged = await request(server)
      .post('/')
      .set('Authorization', 'Bearer not-a-token')
      .send({ userId: 'user-bob' });
    expect(forged.status).toBe(401);
    expect(persona.inquiries.size).toBe(0);
    const created = await post().send({ userId: 'user-bob', requestedBy: 'onboarding-service' });
    expect(created.status).toBe(201);
    // The audit trail names the verified caller, and what it said it acted for.
    const audit = await d.store.query(KYC_COLLECTIONS.audit, []);
    expect(audit.map((a) => a.data.actor)).toEqual(['onboarding@desk.example (for onboarding-service)']);
    await decided(d, created.body.inquiryId as string, 'approved', '2024-03-15T12:05:00.000Z');
    const cached = await post().send({ userId: 'user-bob' });
    expect([cached.status, cached.body.source]).toEqual([200, 'cache']);
    const bad = await post().send({ userId: '../etc/passwd' });
    expect(bad.status).toBe(400);
    expect(bad.body.problems[0]).toContain('/userId');
    expect((await request(server).get('/')).status).toBe(405);

    const wrongKey = deps({
      persona: new PersonaApiClient({
        baseUrl: persona.url,
        apiKey: async () => 'persona_wrong_key_0000000000',
      }),
    });
    ff.http(
      'startKycWrongKey',
      startKycHttp(async () => ({ ...wrongKey, verifier })),
    );
    const refused = await request(getTestServer('startKycWrongKey'))
      .post('/')
      .set('Authorization', 'Bearer local:onboarding@desk.example')
      .send({ userId: 'user-dan' });
    expect(refused.status).toBe(502);
  });
});

describe('PersonaApiClient', () => {
  it('sends Persona headers and the JSON:API body', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const fake: typeof fetch = async (url, init) => {
      seen.push({ url: String(url), init: init ?? {} });
      return new Response(
        JSON.stringify({
          data: {
            type: 'inquiry',
            id: 'inq_Abc123',
            attributes: { status: 'created', 'reference-id': 'u-1' },
          },
        }),
        { status: 201 },
      );
    };
    const client = new PersonaApiClient({
      baseUrl: 'https://persona.test',
      apiKey: async () => 'k',
      version: '2025-10-27',
      fetch: fake,
    });
    expect(
      await client.createInquiry({ templateId: TEMPLATE, referenceId: 'u-1', idempotencyKey: 'idem-1' }),
    ).toEqual({
      id: 'inq_Abc123',
      status: 'created',
      referenceId: 'u-1',
    });
    expect(seen[0].url).toBe('https://persona.test/api/v1/inquiries');
    expect(seen[0].init.method).toBe('POST');
    expect(seen[0].init.headers).toMatchObject({
      Authorization: 'Bearer k',
      'Content-Type': 'application/json',
      'Idempotency-Key': 'idem-1',
      'Persona-Version': '2025-10-27',
    });
    expect(JSON.parse(String(seen[0].init.body))).toEqual({
      data: { attributes: { 'inquiry-template-id': TEMPLATE, 'reference-id': 'u-1' } },
    });
  });

  it('treats 429, 5xx and network errors as transient, other 4xx as permanent', async () => {
    const answering =
      (status: number): typeof fetch =>
      async () =>
        new Response('{"errors":[{"title":"nope"}]}', { status });
    const client = (f: typeof fetch) =>
      new PersonaApiClient({ baseUrl: 'https://persona.test', apiKey: async () => 'k', fetch: f });
    await expect(client(answering(429)).getInquiry('inq_A1')).rejects.toBeInstanceOf(RetryableError);
    await expect(client(answering(503)).getInquiry('inq_A1')).rejects.toBeInstanceOf(RetryableError);
    await expect(client(answering(404)).getInquiry('inq_A1')).rejects.toBeInstanceOf(PermanentError);
    await expect(client(answering(422)).getInquiry('inq_A1')).rejects.toThrow('422 nope');
    const down: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(client(down).getInquiry('inq_A1')).rejects.toBeInstanceOf(RetryableError);
    await expect(client(down).getInquiry('../admin')).rejects.toBeInstanceOf(PermanentError);
  });
});
