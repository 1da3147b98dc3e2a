/**
 * riskAdmin over HTTP, as the Functions Framework serves it, on in-memory adapters: authentication (local
 * tokens here), roles, every problem of a body named at once, optimistic concurrency on policies, the
 * two-person release of a stop, the audit trail (Firestore, warehouse row, CRITICAL alert), and retries of a
 * request whose row or alert could not be written.
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { riskAdminHttp } from '../../../functions/risk-admin/wiring';
import { LocalTokenVerifier } from '../../../shared/adapters/identity/id-token-verifiers';
import type { SchemaTypes } from '../../../shared/contracts/schema-types';
import { validate } from '../../../shared/contracts/validation';
import { DEFAULT_RISK_POLICY } from '../../../shared/domain/controls/default-policy';
import type { RiskPolicy } from '../../../shared/domain/controls/policy';
import { ManualClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import { CONTROLS_COLLECTIONS as C } from '../../../shared/use-cases/controls/controls-store';
import { CapturingSink } from '../../support/capturing-sink';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { MemoryWarehouse } from '../../support/memory/memory-warehouse';

type RiskAlert = SchemaTypes['messages/alerts.risk.v1'];

const ADMIN_A = 'ana@desk.example';
const ADMIN_B = 'bo@desk.example';
const OPERATOR = 'ops@desk.example';
const STRANGER = 'someone@desk.example';

let store: MemoryDocumentStore;
let bus: MemoryEventBus;
let warehouse: MemoryWarehouse;
const clock = new ManualClock('2024-08-05T12:00:00Z');
const sink = new CapturingSink();
ff.http(
  'riskAdmin-test',
  riskAdminHttp(async () => ({
    store,
    bus,
    warehouse,
    clock,
    logger: new StructuredLogger({ sink: sink.sink, projectId: 'p' }),
    admins: [ADMIN_A, ADMIN_B],
    operators: [OPERATOR],
    verifier: new LocalTokenVerifier(),
  })),
);
const server = getTestServer('riskAdmin-test');
const as = (who: string) => ({ Authorization: `Bearer local:${who}` });

const leverage = (version: number, threshold = 5): RiskPolicy => ({
  policyId: 'desk-leverage',
  version,
  scope: { level: 'desk', deskId: 'emea' },
  enabled: true,
  effectiveFrom: '2024-01-01T00:00:00Z',
  rules: [{ ruleId: 'max-leverage', metric: 'leverage', operator: '>', threshold, kind: 'hard' }],
});

const put = (who: string, body: unknown, id = 'desk-leverage') =>
  request(server)
    .put(`/policies/${id}`)
    .set(as(who))
    .send(body as object);
const post = (who: string, path: string, body: unknown) =>
  request(server)
    .post(`/stops/${path}`)
    .set(as(who))
    .send(body as object);
const alerts = () => bus.on<RiskAlert>('alerts.risk.v1');
const EMEA = { level: 'desk', deskId: 'emea' };

beforeEach(() => {
  store = new MemoryDocumentStore();
  bus = new MemoryEventBus();
  warehouse = new MemoryWarehouse();
  clock.set('2024-08-05T12:00:00Z');
});

describe('riskAdmin: who may call', () => {
  it('answers 401 without a token or with an invalid one, before anything else', async () => {
    expect((await request(server).get('/policies')).status).toBe(401);
    const bad = await request(server).get('/stops').set('Authorization', 'Bearer not-a-token');
    expect(bad.status).toBe(401);
    expect(bad.get('WWW-Authenticate')).toBe('Bearer');
    expect((await request(server).put('/policies/x').send({})).status).toBe(401);
  });

  it('answers 403 to callers outside the roles, and to operators changing policies or releasing', async () => {
    expect((await request(server).get('/policies').set(as(STRANGER))).status).toBe(403);
    expect((await post(STRANGER, 'engage', { scope: EMEA, state: 'HALTED', reason: 'x' })).status).toBe(403);
    const policy = await put(OPERATOR, { policy: leverage(1), expectedVersion: 0, reason: 'new' });
    expect(policy.status).toBe(403);
    expect(policy.body.error).toBe('this needs a caller listed in RISK_ADMINS');
    expect(
      (await post(OPERATOR, 'release-requests', { scope: EMEA, target: 'ACTIVE', reason: 'x' })).status,
    ).toBe(403);
    expect((await post(OPERATOR, 'release-approvals', { scope: EMEA, reason: 'x' })).status).toBe(403);
    expect(await store.get(C.policies, 'desk-leverage')).toBeUndefined();
  });
});

describe('riskAdmin: policies', () => {
  it('lists the built-in default until one is stored, and invalid stored documents with their problems', async () => {
    await store.set(C.policies, 'broken', {
      policy: {
        ...leverage(3),
        policyId: 'broken',
        margin: { warning: 10, marginCall: 30, liquidation: 15, recoveryBand: 2 },
      },
      updatedBy: ADMIN_A,
      updatedAt: '2024-08-01T00:00:00Z',
    });
    const res = await request(server).get('/policies').set(as(OPERATOR));
    expect(res.status).toBe(200);
    expect(res.body.policies).toEqual([
      { policy: DEFAULT_RISK_POLICY, version: 1, updatedBy: 'built-in', updatedAt: null, builtIn: true },
    ]);
    expect(res.body.invalid).toEqual([
      {
        policyId: 'broken',
        version: 3,
        problems: ['/margin thresholds must decrease: warning > marginCall > liquidation'],
        scopeKey: 'desk:emea',
      },
    ]);
    expect((await request(server).get('/policies/default').set(as(OPERATOR))).body.version).toBe(1);
    expect((await request(server).get('/policies/nope').set(as(OPERATOR))).status).toBe(404);
  });

  it('names every problem of a PUT at once with 400', async () => {
    const policy = {
      ...leverage(3),
      policyId: 'other-id',
      rules: [
        { ruleId: 'r', metric: 'leverage', operator: '>', threshold: 5, kind: 'hard', asset: 'BTC' },
        { ruleId: 'r', metric: 'leverage', operator: '>', threshold: 6, kind: 'soft' },
      ],
    };
    const res = await put(ADMIN_A, { policy, expectedVersion: 0 });
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual(
      expect.arrayContaining([
        '/reason is required: every change of a control must say why',
        "/policy/rules/1/ruleId 'r' is used by an earlier rule",
        expect.stringContaining('/policy/rules/0/asset applies only to per-asset metrics'),
        "/policy/policyId 'other-id' differs from the path's 'desk-leverage'",
        '/policy/version must be expectedVersion + 1 = 1, not 3',
      ]),
    );
    expect(res.body.problems).toHaveLength(5);
    const schema = await put(ADMIN_A, {
      policy: { policyId: 'desk-leverage' },
      expectedVersion: -1,
      reason: ' ',
    });
    expect(schema.status).toBe(400);
    expect(schema.body.problems).toEqual(
      expect.arrayContaining([
        '/expectedVersion must be an integer >= 0 (0 for a new policy)',
        '/reason must be a non-empty string',
        "/policy must have required property 'version'",
      ]),
    );
    expect(await store.get(C.policies, 'desk-leverage')).toBeUndefined();
    expect(warehouse.rows('risk.policy_changes')).toEqual([]);
  });

  it('creates and changes a policy with optimistic concurrency, auditing before and after', async () => {
    const created = await put(ADMIN_A, { policy: leverage(1), expectedVersion: 0, reason: 'desk limit' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ version: 1, updatedBy: ADMIN_A, auditId: 'desk-leverage:1' });
    clock.set('2024-08-05T13:00:00Z');
    const changed = await put(ADMIN_B, {
      policy: leverage(2, 4),
      expectedVersion: 1,
      reason: 'tighter after depeg',
    });
    expect(changed.status).toBe(200);

    const audit = await store.get<Record<string, unknown>>(C.policyAudit, 'desk-leverage:2');
    expect(audit).toMatchObject({
      auditId: 'desk-leverage:2',
      actor: ADMIN_B,
      reason: 'tighter after depeg',
      at: '2024-08-05T13:00:00.000Z',
      before: leverage(1),
      after: leverage(2, 4),
    });
    expect((await store.get(C.policyAudit, 'desk-leverage:1')) as unknown).toMatchObject({ before: null });
    const rows = warehouse.rows('risk.policy_changes');
    expect(rows.map((r) => [r.change_id, r.previous_version, r.changed_by, r.scope_key])).toEqual([
      ['desk-leverage:1', null, ADMIN_A, 'desk:emea'],
      ['desk-leverage:2', 1, ADMIN_B, 'desk:emea'],
    ]);
    expect(JSON.parse(rows[1].after_json)).toEqual(leverage(2, 4));

    // Ana still holds version 1: her change would overwrite Bo's.
    const stale = await put(ADMIN_A, { policy: leverage(2, 8), expectedVersion: 1, reason: 'looser' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'STALE_VERSION', currentVersion: 2 });
    const got = await request(server).get('/policies/desk-leverage').set(as(OPERATOR));
    expect(got.body).toMatchObject({ version: 2, updatedBy: ADMIN_B, policy: leverage(2, 4) });
  });

  it('replacing the built-in default starts from its version 1', async () => {
    const wrong = await put(
      ADMIN_A,
      { policy: { ...DEFAULT_RISK_POLICY, version: 1 }, expectedVersion: 0, reason: 'x' },
      'default',
    );
    expect(wrong.status).toBe(409);
    expect(wrong.body.currentVersion).toBe(1);
    const ok = await put(
      ADMIN_A,
      { policy: { ...DEFAULT_RISK_POLICY, version: 2 }, expectedVersion: 1, reason: 'own it' },
      'default',
    );
    expect(ok.status).toBe(200);
    expect(await store.get(C.policyAudit, 'default:2')).toMatchObject({ before: DEFAULT_RISK_POLICY });
  });

  it('answers 500 when the row cannot be written, and a retry of the same request completes it with 200', async () => {
    warehouse.failNext = 3;
    const body = { policy: leverage(1), expectedVersion: 0, reason: 'desk limit' };
    const first = await put(ADMIN_A, body);
    expect(first.status).toBe(500);
    expect(first.body).toMatchObject({ auditId: 'desk-leverage:1', retry: 'repeat the same request' });
    expect(warehouse.inserts).toBe(3);
    expect(await store.get(C.policyAudit, 'desk-leverage:1')).toBeDefined(); // committed
    expect(warehouse.rows('risk.policy_changes')).toEqual([]);

    const retry = await put(ADMIN_A, body);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ version: 1, auditId: 'desk-leverage:1' });
    expect(warehouse.rows('risk.policy_changes').map((r) => r.change_id)).toEqual(['desk-leverage:1']);
    // Only the identical change by the same person is a retry.
    expect((await put(ADMIN_B, body)).status).toBe(409);
    expect((await put(ADMIN_A, { ...body, reason: 'another reason' })).status).toBe(409);
  });
});

describe('riskAdmin: the kill switch', () => {
  it('engages, then releases only with two different people, each change audited, recorded and alerted', async () => {
    const engaged = await post(OPERATOR, 'engage', { scope: EMEA, state: 'HALTED', reason: 'ETH depeg' });
    expect(engaged.status).toBe(200);
    expect(engaged.body).toMatchObject({ changed: true, auditId: 'desk:emea:1', stop: { state: 'HALTED' } });

    const requested = await post(ADMIN_A, 'release-requests', {
      scope: EMEA,
      target: 'ACTIVE',
      reason: 'peg restored',
    });
    expect(requested.status).toBe(200);
    expect(requested.body.stop).toMatchObject({
      state: 'HALTED',
      pendingRelease: { requestedBy: ADMIN_A, target: 'ACTIVE' },
    });

    const same = await post(ADMIN_A, 'release-approvals', { scope: EMEA, reason: 'approve' });
    expect(same.status).toBe(409);
    expect(same.body.code).toBe('SAME_PERSON');

    const noReason = await post(ADMIN_B, 'release-approvals', { scope: EMEA });
    expect(noReason.status).toBe(400);
    expect(noReason.body.problems).toEqual(['/reason is required: every change of a control must say why']);

    const approved = await post(ADMIN_B, 'release-approvals', { scope: EMEA, reason: 'checked the feeds' });
    expect(approved.status).toBe(200);
    expect(approved.body.stop).toMatchObject({ state: 'ACTIVE', changedBy: ADMIN_B, pendingRelease: null });

    expect((await post(ADMIN_B, 'release-approvals', { scope: EMEA, reason: 'again' })).body.code).toBe(
      'NO_PENDING_RELEASE',
    );
    const notLooser = await post(ADMIN_A, 'release-requests', { scope: EMEA, target: 'HALTED', reason: 'x' });
    expect(notLooser.status).toBe(409);
    expect(notLooser.body.code).toBe('NOT_LOOSER');

    for (const v of [1, 2, 3]) expect(await store.get(C.stopAudit, `desk:emea:${v}`)).toBeDefined();
    const sent = alerts();
    for (const a of sent) validate('messages/alerts.risk.v1', a);
    expect(
      sent.map((a) => [a.kind, a.severity, a.transition, a.stateBefore, a.stateAfter, a.actor, a.auditId]),
    ).toEqual([
      ['STOP_CHANGED', 'CRITICAL', 'ENGAGED', 'ACTIVE', 'HALTED', OPERATOR, 'desk:emea:1'],
      ['STOP_CHANGED', 'CRITICAL', 'RELEASE_REQUESTED', 'HALTED', 'HALTED', ADMIN_A, 'desk:emea:2'],
      ['STOP_CHANGED', 'CRITICAL', 'RELEASED', 'HALTED', 'ACTIVE', ADMIN_B, 'desk:emea:3'],
    ]);
    expect(sent[0]).toMatchObject({ scopeKey: 'desk:emea', deskId: 'emea', reason: 'ETH depeg' });
    expect(sent[1].pendingTarget).toBe('ACTIVE');
    expect(new Set(sent.map((a) => a.alertId)).size).toBe(3);
    expect(
      warehouse.rows('risk.emergency_stops').map((r) => [r.audit_id, r.transition, r.state_after, r.actor]),
    ).toEqual([
      ['desk:emea:1', 'ENGAGED', 'HALTED', OPERATOR],
      ['desk:emea:2', 'RELEASE_REQUESTED', 'HALTED', ADMIN_A],
      ['desk:emea:3', 'RELEASED', 'ACTIVE', ADMIN_B],
    ]);
    const stops = await request(server).get('/stops').set(as(OPERATOR));
    expect(stops.body.stops).toMatchObject([{ scopeKey: 'desk:emea', state: 'ACTIVE', version: 3 }]);
  });

  it('names every problem of a stop body, and engaging what is already that tight changes nothing', async () => {
    const bad = await post(OPERATOR, 'engage', { scope: { level: 'desk' }, state: 'ACTIVE', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([
      '/extra is not allowed',
      '/scope/deskId must match ^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$',
      '/reason is required: every change of a control must say why',
      '/state must be one of REDUCING, HALTED',
    ]);
    await post(OPERATOR, 'engage', { scope: { level: 'global' }, state: 'HALTED', reason: 'market halt' });
    const again = await post(ADMIN_A, 'engage', {
      scope: { level: 'global' },
      state: 'REDUCING',
      reason: 'x',
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ changed: false, stop: { state: 'HALTED', version: 1 } });
    expect(alerts()).toHaveLength(1);
  });

  it('answers 500 when the alert cannot be published, and the retried request announces it once, with 200', async () => {
    bus.failNext = 3;
    const body = {
      scope: { level: 'portfolio', portfolioId: 'pf-7' },
      state: 'REDUCING',
      reason: 'margin spiral',
    };
    const first = await post(OPERATOR, 'engage', body);
    expect(first.status).toBe(500);
    expect(first.body.auditId).toBe('portfolio:pf-7:1');
    expect(alerts()).toEqual([]);
    clock.set('2024-08-05T12:05:00Z');
    const retry = await post(OPERATOR, 'engage', body);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ changed: true, repeated: true, auditId: 'portfolio:pf-7:1' });
    expect(alerts().map((a) => [a.auditId, a.portfolioId, a.at])).toEqual([
      ['portfolio:pf-7:1', 'pf-7', '2024-08-05T12:00:00.000Z'],
    ]);
    expect(warehouse.rows('risk.emergency_stops').map((r) => r.audit_id)).toEqual(['portfolio:pf-7:1']);
    expect((await store.get(C.stops, 'portfolio:pf-7')) as unknown).toMatchObject({ version: 1 });
  });
});
