/**
 * The case tool end to end on the Firestore emulator and the DuckDB warehouse: transactions screened through the
 * synchronous check (screenTransaction over HTTP) and the stream (evaluateAml), counted once whichever path sees
 * them first; their alerts open cases; officers work them through complianceCases over HTTP — the queue, personal
 * data views (audited), concurrent edits, four eyes one by one and in bulk, notes — and the trail is exported and
 * verified against the warehouse mirror, tampering included. Every answer is checked against the OpenAPI documents.
 */
import { LocalSecrets, localPlatform } from '../../../local-stack/platform';
import { AML_USERS } from '../../../local-stack/scenarios/aml';
import { complianceCases } from '../../../functions/compliance-cases/wiring';
import { screenTransaction } from '../../../functions/screen-transaction/wiring';
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import type { AmlTransaction } from '../../../shared/domain/aml/window';
import { systemClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import { AML_COLLECTIONS, type WindowDoc } from '../../../shared/use-cases/aml-evaluation';
import { CASE_COLLECTIONS, type CaseDoc } from '../../../shared/use-cases/cases/case-store';
import { sweepCaseMirror } from '../../../shared/use-cases/cases/case-mirror';
import { deliverPendingEvaluations, evaluateAml } from '../../../shared/use-cases/evaluate-aml';
import type { TrailEvent } from '../../../shared/domain/cases/trail';
import { readAmlConfig } from '../../../shared/platform/config/aml';
import { CapturingSink } from '../../support/capturing-sink';
import { emulatorHosts, isolatedProjectId } from '../../support/env';
import { serveHttpFunction, type ServedFunction } from '../../support/http-function-server';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { expectDocumented } from '../../support/openapi';

const ANN = 'ann@bank.test';
const BOB = 'bob@bank.test';
const SUE = 'sue@bank.test';
const TOM = 'tom@bank.test';
const AUD = 'aud@bank.test';
const PLATFORM = 'lending-platform@bank.test';
const SCREENED = 'Garantex Europa OU';

type Json = Record<string, unknown>;

describe('compliance cases on the Firestore emulator and DuckDB', () => {
  const projectId = isolatedProjectId('cases-api');
  const sink = new CapturingSink();
  const logger = new StructuredLogger({ sink: sink.sink });
  const bus = new MemoryEventBus();
  let store: FirestoreDocumentStore;
  let warehouse: DuckDbWarehouse;
  let platform: ReturnType<typeof localPlatform>;
  let cases: ServedFunction;
  let screen: ServedFunction;

  const now = Date.now();
  let serial = 0;
  const txOf = (userId: string, p: Partial<AmlTransaction> = {}): AmlTransaction => ({
    transactionId: `tx-${projectId}-${serial++}`,
    userId,
    accountOpenedAt: '2024-01-15T09:00:00Z',
    type: 'WITHDRAWAL',
    channel: 'CRYPTO',
    amount: '2500',
    currency: 'USDT',
    amountUsd: 2500,
    customerCountry: 'US',
    occurredAt: new Date(now - 60_000).toISOString(),
    ...p,
  });
  const sanctioned = (userId: string) =>
    txOf(userId, { counterparty: { name: SCREENED, kind: 'entity', country: 'EE' } });

  const platformParts = () => ({
    env: {
      ENVIRONMENT: 'local',
      COMPLIANCE_CASES_ROLES: `${ANN}=officer;${BOB}=officer;${SUE}=senior_officer|officer;${TOM}=senior_officer;${AUD}=auditor`,
      SCREEN_TRANSACTION_CALLERS: PLATFORM,
    },
    bus,
    store,
    warehouse,
    secrets: new LocalSecrets(),
    clock: systemClock,
    logger,
  });
  const amlDeps = () => ({
    store,
    bus,
    warehouse,
    clock: systemClock,
    logger,
    policy: readAmlConfig({}).policy,
    cipher: platform.cipher(undefined),
  });

  async function call(
    fn: ServedFunction,
    api: string,
    method: 'GET' | 'POST',
    path: string,
    who: string | null,
    body?: unknown,
  ): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${fn.url}${path}`, {
      method,
      headers: {
        ...(who ? { authorization: `Bearer local:${who}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Json;
    expectDocumented(api, method, path, res.status, json);
    return { status: res.status, body: json };
  }
  const get = (path: string, who: string | null = ANN) => call(cases, 'compliance-cases', 'GET', path, who);
  const post = (path: string, body: unknown, who: string | null = ANN) =>
    call(cases, 'compliance-cases', 'POST', path, who, body);
  const screenTx = (tx: unknown, who: string | null = PLATFORM) =>
    call(screen, 'screen-transaction', 'POST', '/', who, tx);

  const windowOf = async (userId: string) =>
    (await store.get<WindowDoc>(AML_COLLECTIONS.windows, userId))?.entries ?? [];
  const caseOfSubject = async (userId: string) => {
    const found = await store.query<CaseDoc>(CASE_COLLECTIONS.cases, [
      { field: 'subjectId', op: '==', value: userId },
    ]);
    return found.map((d) => d.data).sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  };
  /** What a consumer of compliance.transactions.v1 does with the check's publish: deliver, without counting again. */
  async function deliverPublished(): Promise<void> {
    // The check hands the transaction over after its answer: wait for the publish.
    const deadline = Date.now() + 5000;
    while (!bus.messages.some((m) => m.topic === 'compliance.transactions.v1') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const published = bus.messages.filter((m) => m.topic === 'compliance.transactions.v1').splice(0);
    bus.messages.splice(
      0,
      bus.messages.length,
      ...bus.messages.filter((m) => m.topic !== 'compliance.transactions.v1'),
    );
    for (const m of published) await evaluateAml(amlDeps(), m.data as AmlTransaction);
  }

  beforeAll(async () => {
    store = new FirestoreDocumentStore({ projectId, emulatorHost: emulatorHosts().firestoreHost });
    warehouse = await DuckDbWarehouse.open();
    platform = localPlatform(platformParts());
    cases = await serveHttpFunction(complianceCases, platform);
    screen = await serveHttpFunction(screenTransaction, platform);
  });

  afterAll(async () => {
    await cases.close();
    await screen.close();
    await store.close();
    await warehouse.close();
  });

  describe('screenTransaction', () => {
    it('blocks a sanctioned counterparty, counts it once, and the stream delivers it without counting again', async () => {
      const user = `${AML_USERS.sanctions}-1`;
      const tx = sanctioned(user);
      const first = await screenTx(tx);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ decision: 'block', evaluatedBy: 'screen', counted: true });
      expect((first.body.rules as Json[]).map((r) => r.ruleId)).toEqual(['sanctions.ofac-sdn']);
      // The platform retries (a timeout on its side): the same decision, not counted again.
      const again = await screenTx(tx);
      expect(again.body).toMatchObject({
        decision: 'block',
        decisionId: first.body.decisionId,
        counted: false,
      });
      await deliverPublished();
      // The platform also publishes it on compliance.transactions.v1 later: nothing is counted again.
      expect(await evaluateAml(amlDeps(), tx)).toMatchObject({
        evaluated: false,
        path: 'screen',
        pending: false,
      });
      expect((await windowOf(user)).map((e) => e.i)).toEqual([tx.transactionId]);
      const rows = await warehouse.query<{ outcome: string; path: string; rules_fired: string }>(
        'SELECT outcome, path, rules_fired FROM compliance.transactions WHERE transaction_id = @id',
        { id: tx.transactionId },
      );
      expect(rows).toEqual([{ outcome: 'block', path: 'screen', rules_fired: '["sanctions.ofac-sdn"]' }]);
      // The alert joined the customer's case as a screening hit carrying the screened name, encrypted.
      const [c] = await caseOfSubject(user);
      expect(c.links.map((l) => [l.kind, l.ruleId, l.personal !== undefined])).toEqual([
        ['screening_hit', 'sanctions.ofac-sdn', true],
      ]);
      expect(JSON.stringify(c)).not.toContain('Garantex');
      const published = bus.messages.filter((m) => m.topic === 'alerts.aml.v1');
      expect(JSON.stringify(published)).not.toContain(SCREENED);
      expect(sink.lines.join('\n')).not.toContain(SCREENED);
    });

    it('answers the stream’s decision when the stream saw the transaction first, counted once', async () => {
      const user = `${AML_USERS.ordinary}-2`;
      const tx = txOf(user);
      expect(await evaluateAml(amlDeps(), tx)).toMatchObject({
        evaluated: true,
        decision: 'allow',
        path: 'stream',
      });
      const answer = await screenTx(tx);
      expect(answer.body).toMatchObject({
        decision: 'allow',
        evaluatedBy: 'stream',
        counted: false,
        rules: [],
      });
      expect(await windowOf(user)).toHaveLength(1);
    });

    it('the same transaction on both paths at once is counted once and both answer the same decision', async () => {
      const user = `${AML_USERS.sanctions}-3`;
      const tx = sanctioned(user);
      const [viaScreen, viaStream] = await Promise.all([screenTx(tx), evaluateAml(amlDeps(), tx)]);
      expect(viaScreen.body.decision).toBe('block');
      expect(viaStream.decision).toBe('block');
      expect([viaScreen.body.counted, viaStream.evaluated].filter(Boolean)).toHaveLength(1);
      expect(await windowOf(user)).toHaveLength(1);
    });

    it('never answers allow when it cannot decide: hold with a distinct status', async () => {
      expect(await screenTx({ ...txOf('u-x'), amountUsd: 'lots' })).toMatchObject({
        status: 400,
        body: { decision: 'hold', code: 'INVALID_REQUEST' },
      });
      expect(
        await screenTx(txOf('u-x', { occurredAt: new Date(now + 3_600_000).toISOString() })),
      ).toMatchObject({
        status: 422,
        body: { decision: 'hold', code: 'EVENT_TIME_IN_FUTURE' },
      });
      expect(await screenTx(txOf('u-x'), null)).toMatchObject({ status: 401, body: { decision: 'hold' } });
      expect(await screenTx(txOf('u-x'), ANN)).toMatchObject({ status: 403, body: { decision: 'hold' } });
      // The store is down: no decision could be made, so none is given.
      const down = Object.create(store) as FirestoreDocumentStore;
      down.runTransaction = () => Promise.reject(new Error('firestore unavailable (injected)'));
      const broken = await serveHttpFunction(
        screenTransaction,
        localPlatform({ ...platformParts(), store: down }),
      );
      try {
        expect(await call(broken, 'screen-transaction', 'POST', '/', PLATFORM, txOf('u-y'))).toMatchObject({
          status: 503,
          body: { decision: 'hold', code: 'UNAVAILABLE' },
        });
      } finally {
        await broken.close();
      }
    });

    it('answers once the decision is committed; what it could not hand to the stream, the sweep delivers', async () => {
      const user = `${AML_USERS.sanctions}-4`;
      const tx = sanctioned(user);
      bus.failNext = 1; // the hand-off publish fails after the answer
      expect(await screenTx(tx)).toMatchObject({ status: 200, body: { decision: 'block', counted: true } });
      expect(await caseOfSubject(user)).toEqual([]);
      expect(await deliverPendingEvaluations(amlDeps(), 0)).toBeGreaterThanOrEqual(1);
      const [c] = await caseOfSubject(user);
      expect(c.links.map((l) => l.kind)).toEqual(['screening_hit']);
      expect(
        bus.messages.filter(
          (m) => m.topic === 'alerts.aml.v1' && (m.data as { userId: string }).userId === user,
        ),
      ).toHaveLength(1);
      expect(await deliverPendingEvaluations(amlDeps(), 0)).toBe(0);
    });
  });

  describe('complianceCases', () => {
    let caseId: string;
    beforeAll(async () => {
      const user = `${AML_USERS.sanctions}-10`;
      await screenTx(sanctioned(user));
      await deliverPublished();
      caseId = (await caseOfSubject(user))[0].caseId;
    });

    it('refuses anonymous callers and identities without a role', async () => {
      expect((await get('/cases', null)).status).toBe(401);
      expect(await get('/cases', 'stranger@bank.test')).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN' },
      });
      expect(await get('/me', AUD)).toMatchObject({
        status: 200,
        body: { roles: ['auditor'], seesPersonalData: false },
      });
    });

    it('lists the queue with filters, most urgent first', async () => {
      const page = await get('/cases?severity=CRITICAL&assignee=unassigned&rule=sanctions.ofac-sdn&sla=ok');
      expect(page.status).toBe(200);
      expect((page.body.cases as Json[]).map((c) => c.caseId)).toContain(caseId);
      const dues = (page.body.cases as Json[]).map((c) => c.dueAt as string);
      expect(dues).toEqual([...dues].sort());
      expect((await get('/cases?assignee=mine')).body.cases).toEqual([]);
      expect(await get('/cases?status=done&limit=0')).toMatchObject({
        status: 400,
        body: { code: 'INVALID_REQUEST' },
      });
      expect((await get('/cases?status=done&limit=0')).body.problems).toHaveLength(2);
      const first = await get('/cases?limit=1');
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await get(`/cases?limit=1&cursor=${first.body.nextCursor as string}`);
      expect((second.body.cases as Json[])[0].caseId).not.toBe((first.body.cases as Json[])[0].caseId);
    });

    it('shows personal data only on request, to allowed roles, and records every view on the trail first', async () => {
      const hidden = await get(`/cases/${caseId}`);
      expect(hidden.body).toMatchObject({ personalData: 'hidden' });
      expect(JSON.stringify(hidden.body)).not.toContain(SCREENED);
      expect(await get(`/cases/${caseId}?personal=true`, AUD)).toMatchObject({ status: 403 });
      const shown = await get(`/cases/${caseId}?personal=true`);
      expect(shown.body).toMatchObject({ personalData: 'shown' });
      expect((shown.body.linked as Json[])[0]).toMatchObject({
        screenedName: SCREENED,
        hasPersonalData: true,
      });
      const trail = await get(`/cases/${caseId}/trail`, AUD);
      const views = (trail.body.events as TrailEvent[]).filter((e) => e.action === 'personal_data_viewed');
      expect(views.map((e) => [e.actor, e.after])).toEqual([[ANN, { fields: ['screenedName'] }]]);
      // A view is not an edit: the version officers compare against is unchanged.
      expect(shown.body.version).toBe(hidden.body.version);
    });

    it('answers the second of two concurrent edits with 409 and the current version', async () => {
      const { body } = await get(`/cases/${caseId}`);
      const v = body.version as number;
      const [a, b] = await Promise.all([
        post(`/cases/${caseId}/actions`, { action: 'claim', expectedVersion: v }, ANN),
        post(`/cases/${caseId}/actions`, { action: 'claim', expectedVersion: v }, BOB),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body).toMatchObject({ code: 'CONFLICT', currentVersion: v + 1 });
    });

    it('needs a second, senior officer for a report — never the proposer — and keeps notes encrypted', async () => {
      let v = (await get(`/cases/${caseId}`)).body.version as number;
      const assignee = (await get(`/cases/${caseId}`)).body.assignee as string;
      const note = await post(
        `/cases/${caseId}/actions`,
        { action: 'note', expectedVersion: v, text: `Called ${SCREENED}'s agent` },
        assignee,
      );
      expect(note.status).toBe(200);
      v = note.body.version as number;
      expect(
        await post(
          `/cases/${caseId}/actions`,
          { action: 'decide', outcome: 'sar_filed', expectedVersion: v },
          SUE,
        ),
      ).toMatchObject({
        status: 400,
        body: { code: 'REASON_REQUIRED' },
      });
      const proposed = await post(
        `/cases/${caseId}/actions`,
        { action: 'decide', outcome: 'sar_filed', reasonCode: 'SANCTIONED_EXCHANGE', expectedVersion: v },
        SUE,
      );
      expect(proposed.body).toMatchObject({ state: 'pending_second_approval' });
      v = proposed.body.version as number;
      expect(
        await post(
          `/cases/${caseId}/actions`,
          { action: 'approve', reasonCode: 'AGREED', expectedVersion: v },
          SUE,
        ),
      ).toMatchObject({
        status: 403,
        body: { code: 'SAME_PERSON' },
      });
      expect(
        await post(
          `/cases/${caseId}/actions`,
          { action: 'approve', reasonCode: 'AGREED', expectedVersion: v },
          ANN,
        ),
      ).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN' },
      });
      expect(
        await post(
          `/cases/${caseId}/actions`,
          { action: 'approve', reasonCode: 'AGREED', expectedVersion: v },
          AUD,
        ),
      ).toMatchObject({
        status: 403,
      });
      const approved = await post(
        `/cases/${caseId}/actions`,
        { action: 'approve', reasonCode: 'AGREED', expectedVersion: v },
        TOM,
      );
      expect(approved.body).toMatchObject({ state: 'closed', outcome: 'sar_filed' });
      expect(
        await post(
          `/cases/${caseId}/actions`,
          { action: 'start', expectedVersion: approved.body.version },
          ANN,
        ),
      ).toMatchObject({
        status: 409,
        body: { code: 'INVALID_TRANSITION' },
      });
      const exported = await get(`/cases/${caseId}/trail`);
      expect(JSON.stringify(exported.body)).not.toContain(SCREENED);
      expect(exported.body.chainIntact).toBe(true);
      const shown = await get(`/cases/${caseId}?personal=true`, SUE);
      expect((shown.body.notes as Json[])[0]).toMatchObject({
        author: assignee,
        text: `Called ${SCREENED}'s agent`,
      });
    });

    it('applies four eyes to every case of a bulk close, and refuses what it cannot read', async () => {
      const ids: { caseId: string; expectedVersion: number }[] = [];
      for (const n of [20, 21, 22]) {
        await screenTx(sanctioned(`${AML_USERS.sanctions}-${n}`));
        const [c] = await (async () => {
          await deliverPublished();
          return caseOfSubject(`${AML_USERS.sanctions}-${n}`);
        })();
        ids.push({ caseId: c.caseId, expectedVersion: c.version });
      }
      const stale = { ...ids[2], expectedVersion: ids[2].expectedVersion + 5 };
      const res = await post(
        '/cases/bulk',
        {
          action: 'close',
          outcome: 'customer_blocked',
          reasonCode: 'SANCTIONED_EXCHANGE',
          cases: [ids[0], ids[1], stale],
        },
        SUE,
      );
      expect(res.status).toBe(200);
      const results = res.body.results as Json[];
      expect(results.map((r) => r.status)).toEqual([200, 200, 409]);
      expect(results.slice(0, 2).map((r) => (r.case as Json).state)).toEqual([
        'pending_second_approval',
        'pending_second_approval',
      ]);
      expect(await post('/cases/bulk', { action: 'close', cases: [ids[0]] }, SUE)).toMatchObject({
        status: 400,
      });
      expect(
        await post('/cases/bulk', { action: 'assign', to: 'nobody@bank.test', cases: [ids[2]] }, SUE),
      ).toMatchObject({
        status: 400,
      });
    });

    it('verifies the trail against the warehouse mirror and reports an edited event, a deleted last event and a rewritten chain', async () => {
      await sweepCaseMirror({ store, warehouse });
      expect(await get(`/cases/${caseId}/verify`, AUD)).toMatchObject({
        status: 200,
        body: { ok: true, problems: [] },
      });
      const events = (await get(`/cases/${caseId}/trail`)).body.events as TrailEvent[];
      const id = (seq: number) => `${caseId}:${String(seq).padStart(8, '0')}`;
      const second = events[1];

      // Edited: someone with database access changes a reason code.
      await store.set(CASE_COLLECTIONS.events, id(second.seq), { ...second, reasonCode: 'EDITED' });
      const edited = await get(`/cases/${caseId}/verify`);
      expect(edited.body.ok).toBe(false);
      expect((edited.body.problems as Json[]).map((p) => [p.seq, p.problem])).toEqual([
        [second.seq, 'EDITED'],
      ]);
      await store.set(CASE_COLLECTIONS.events, id(second.seq), { ...second });

      // The last event deleted (and the case's head moved back to hide it): the mirror still holds it.
      const last = events[events.length - 1];
      const c = (await store.get<CaseDoc>(CASE_COLLECTIONS.cases, caseId)) as CaseDoc;
      await store.runTransaction(async (tx) => {
        tx.delete(CASE_COLLECTIONS.events, id(last.seq));
        tx.set(CASE_COLLECTIONS.cases, caseId, {
          ...c,
          lastSeq: last.seq - 1,
          lastHash: events[events.length - 2].hash,
        });
      });
      const deleted = await get(`/cases/${caseId}/verify`);
      expect((deleted.body.problems as Json[]).map((p) => p.problem)).toEqual(['MISSING_FROM_STORE']);
      await store.runTransaction(async (tx) => {
        tx.set(CASE_COLLECTIONS.events, id(last.seq), { ...last });
        tx.set(CASE_COLLECTIONS.cases, caseId, c);
      });

      // A whole chain rewritten consistently (hashes recomputed): only the mirror can tell.
      const { chain } = await import('../../../shared/domain/cases/trail');
      let prev: TrailEvent | undefined;
      const rewritten = events.map((e) => {
        const { seq: _s, prevHash: _p, hash: _h, ...body } = e;
        prev = chain(prev, e.seq === 1 ? body : { ...body, actor: e.actor === 'system' ? 'system' : SUE });
        return prev;
      });
      await store.runTransaction(async (tx) => {
        for (const e of rewritten) tx.set(CASE_COLLECTIONS.events, id(e.seq), { ...e });
        tx.set(CASE_COLLECTIONS.cases, caseId, { ...c, lastHash: rewritten[rewritten.length - 1].hash });
      });
      const rewrote = await get(`/cases/${caseId}/verify`);
      expect(rewrote.body.ok).toBe(false);
      expect((rewrote.body.problems as Json[]).every((p) => p.problem === 'MIRROR_DIFFERS')).toBe(true);
      expect((rewrote.body.problems as Json[]).length).toBeGreaterThan(0);
    });

    it('serves service-level metrics from the warehouse', async () => {
      await sweepCaseMirror({ store, warehouse });
      const m = await get('/metrics?days=30', AUD);
      expect(m.status).toBe(200);
      expect(m.body.backlog).toMatchObject({ total: expect.any(Number) });
      expect((m.body.backlog as Json).total).toBeGreaterThan(0);
      const fp = m.body.falsePositiveRateByRule as Json[];
      expect(fp.find((r) => r.ruleId === 'sanctions.ofac-sdn')).toMatchObject({
        decided: 1,
        falsePositives: 0,
        rate: 0,
      });
      expect(await get('/metrics?days=-1')).toMatchObject({ status: 400 });
    });

    it('answers 404 for an unknown case and 400 for something that is not a case id', async () => {
      expect(await get('/cases/cs_00000000000000000000000000000000')).toMatchObject({ status: 404 });
      expect(await get('/cases/not-a-case')).toMatchObject({ status: 400 });
      expect(await post(`/cases/${caseId}/actions`, { action: 'fly', expectedVersion: 1 })).toMatchObject({
        status: 400,
      });
    });
  });
});
