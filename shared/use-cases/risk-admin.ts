/**
 * riskAdmin: the desk's administration of risk policies and the kill switch. The caller is identified by a
 * verified token (the handler's job); here: roles, the checks a request body needs, optimistic concurrency, the
 * two-person release, and the audit trail — Firestore in the change's own transaction, then the warehouse row
 * and (stops) the CRITICAL alert, keyed by the audit id.
 *
 * Retries. A change is committed before its row and alert are written. If those still fail after 3 tries the
 * answer is `incomplete` (HTTP 500: retry the same request). A retry of the identical change by the same person
 * is recognised from the stored state (same policy document and author at the next version; the stop already
 * in the state this person put it in with this reason) and answered 200 with the committed result, repeating the
 * row and alert, which their ids make harmless. So a client may always retry a 5xx.
 */
import { DEFAULT_POLICY_ID, DEFAULT_RISK_POLICY } from '../domain/controls/default-policy';
import {
  parseRiskPolicy,
  RiskPolicyError,
  scopeKey,
  type PolicyScope,
  type RiskPolicy,
} from '../domain/controls/policy';
import {
  approveRelease,
  engage,
  requestRelease,
  STOP_STATES,
  StopTransitionError,
  type StopRecord,
  type StopState,
} from '../domain/controls/stops';
import type { Principal } from '../ports/caller-identity';
import type { Clock } from '../ports/clock';
import type { DocumentData, DocumentStore } from '../ports/document-store';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';
import type { Warehouse } from '../ports/warehouse';
import { announceStopTransition } from './controls/announcements';
import { recordPolicyChange, type PolicyAuditEntry } from './controls/policy-changes';
import {
  CONTROLS_COLLECTIONS as C,
  changeStop,
  readPolicies,
  readStops,
  type PolicyDoc,
  type StopTransition,
} from './controls/controls-store';

export interface RiskAdminDeps {
  store: DocumentStore;
  bus: EventBus;
  warehouse: Warehouse;
  clock: Clock;
  logger: Logger;
  /** May change policies and request or approve stop releases (RISK_ADMINS). */
  admins: string[];
  /** May engage stops (RISK_OPERATORS; admins may too). */
  operators: string[];
  /** Tries of each post-commit write (default 3). */
  attempts?: number;
}

export type RiskAdminOutcome =
  | { kind: 'ok'; body: Record<string, unknown> }
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'forbidden'; need: 'RISK_ADMINS' | 'RISK_OPERATORS or RISK_ADMINS' }
  | { kind: 'not-found'; what: string }
  | { kind: 'conflict'; code: string; message: string; currentVersion?: number }
  /** Committed and audited in Firestore, but its row or alert could not be written: retry the same request. */
  | { kind: 'incomplete'; auditId: string; message: string };

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const MAX_REASON = 2000;

const isAdmin = (d: RiskAdminDeps, p: Principal) => d.admins.includes(p.id);
const isOperatorOrAdmin = (d: RiskAdminDeps, p: Principal) => isAdmin(d, p) || d.operators.includes(p.id);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys in a fixed order, so a policy read back from Firestore compares equal to the one sent. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function unknownKeys(body: Record<string, unknown>, allowed: readonly string[], problems: string[]): void {
  for (const k of Object.keys(body)) if (!allowed.includes(k)) problems.push(`/${k} is not allowed`);
}

function reasonOf(body: Record<string, unknown>, problems: string[]): string {
  const r = body.reason;
  if (r === undefined) problems.push('/reason is required: every change of a control must say why');
  else if (typeof r !== 'string' || r.trim() === '') problems.push('/reason must be a non-empty string');
  else if (r.length > MAX_REASON) problems.push(`/reason must be at most ${MAX_REASON} characters`);
  return typeof r === 'string' ? r.trim() : '';
}

/** A scope as in the policy schema: {level:'global'} | {level:'desk',deskId} | {level:'portfolio',portfolioId}. */
function scopeOf(v: unknown, problems: string[]): PolicyScope | undefined {
  if (!isObject(v)) {
    problems.push(
      '/scope is required: {"level":"global"}, {"level":"desk","deskId":…} or {"level":"portfolio","portfolioId":…}',
    );
    return undefined;
  }
  const idOf = (key: 'deskId' | 'portfolioId'): string | undefined => {
    const id = v[key];
    if (typeof id !== 'string' || !ID.test(id)) {
      problems.push(`/scope/${key} must match ${ID.source}`);
      return undefined;
    }
    return id;
  };
  const only = (allowed: string[]) => {
    for (const k of Object.keys(v)) if (!allowed.includes(k)) problems.push(`/scope/${k} is not allowed`);
  };
  switch (v.level) {
    case 'global':
      only(['level']);
      return { level: 'global' };
    case 'desk': {
      only(['level', 'deskId']);
      const deskId = idOf('deskId');
      return deskId === undefined ? undefined : { level: 'desk', deskId };
    }
    case 'portfolio': {
      only(['level', 'portfolioId']);
      const portfolioId = idOf('portfolioId');
      return portfolioId === undefined ? undefined : { level: 'portfolio', portfolioId };
    }
    default:
      problems.push('/scope/level must be one of global, desk, portfolio');
      return undefined;
  }
}

function stateOf<S extends StopState>(
  v: unknown,
  field: string,
  allowed: readonly S[],
  problems: string[],
): S | undefined {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as S;
  problems.push(`/${field} must be one of ${allowed.join(', ')}`);
  return undefined;
}

// ---------------------------------------------------------------------------------------------- policies

interface PolicyView {
  policy: RiskPolicy;
  version: number;
  updatedBy: string;
  updatedAt: string | null;
  builtIn: boolean;
}

export async function listPolicies(deps: RiskAdminDeps, principal: Principal): Promise<RiskAdminOutcome> {
  if (!isOperatorOrAdmin(deps, principal))
    return { kind: 'forbidden', need: 'RISK_OPERATORS or RISK_ADMINS' };
  const { policies, invalid } = await readPolicies(deps.store);
  const docs = await deps.store.query<PolicyDoc>(C.policies, []);
  const meta = new Map(docs.map((d) => [d.id, d.data]));
  const views: PolicyView[] = policies
    .map((p) => {
      const m = meta.get(p.policyId);
      return {
        policy: p,
        version: p.version,
        updatedBy: m?.updatedBy ?? 'built-in',
        updatedAt: m?.updatedAt ?? null,
        builtIn: !m,
      };
    })
    .sort((a, b) => (a.policy.policyId < b.policy.policyId ? -1 : 1));
  return { kind: 'ok', body: { policies: views, invalid } };
}

export async function getPolicy(
  deps: RiskAdminDeps,
  principal: Principal,
  policyId: string,
): Promise<RiskAdminOutcome> {
  if (!isOperatorOrAdmin(deps, principal))
    return { kind: 'forbidden', need: 'RISK_OPERATORS or RISK_ADMINS' };
  const doc = await deps.store.get<PolicyDoc>(C.policies, policyId);
  if (!doc) {
    if (policyId !== DEFAULT_POLICY_ID) return { kind: 'not-found', what: `policy ${policyId}` };
    const p = DEFAULT_RISK_POLICY;
    return {
      kind: 'ok',
      body: { policy: p, version: p.version, updatedBy: 'built-in', updatedAt: null, builtIn: true },
    };
  }
  try {
    const p = parseRiskPolicy(doc.policy);
    return {
      kind: 'ok',
      body: {
        policy: p,
        version: p.version,
        updatedBy: doc.updatedBy,
        updatedAt: doc.updatedAt,
        builtIn: false,
      },
    };
  } catch (err) {
    if (!(err instanceof RiskPolicyError)) throw err;
    // Shown as stored, with its problems, so an administrator can see what to fix.
    return {
      kind: 'ok',
      body: {
        stored: doc.policy,
        problems: err.problems,
        updatedBy: doc.updatedBy,
        updatedAt: doc.updatedAt,
      },
    };
  }
}

interface PolicyChange {
  policy: RiskPolicy;
  expectedVersion: number;
  reason: string;
}

/** Every problem of a PUT body at once: shape, the policy's schema and cross-field checks, ids and versions. */
function parsePolicyChange(policyId: string, body: unknown): PolicyChange | { problems: string[] } {
  const problems: string[] = [];
  if (!ID.test(policyId)) problems.push(`path policyId must match ${ID.source}`);
  if (!isObject(body))
    return { problems: [...problems, '(root) must be an object {policy, expectedVersion, reason}'] };
  unknownKeys(body, ['policy', 'expectedVersion', 'reason'], problems);
  const ev = body.expectedVersion;
  const expectedOk = typeof ev === 'number' && Number.isInteger(ev) && ev >= 0;
  if (!expectedOk) problems.push('/expectedVersion must be an integer >= 0 (0 for a new policy)');
  const reason = reasonOf(body, problems);
  let policy: RiskPolicy | undefined;
  if (body.policy === undefined) problems.push('/policy is required');
  else
    try {
      policy = parseRiskPolicy(body.policy);
    } catch (err) {
      if (!(err instanceof RiskPolicyError)) throw err;
      problems.push(
        ...err.problems.map((p) => (p.startsWith('(root)') ? p.replace('(root)', '/policy') : `/policy${p}`)),
      );
    }
  const raw = isObject(body.policy) ? body.policy : {};
  if (typeof raw.policyId === 'string' && raw.policyId !== policyId)
    problems.push(`/policy/policyId '${raw.policyId}' differs from the path's '${policyId}'`);
  if (expectedOk && typeof raw.version === 'number' && raw.version !== (ev as number) + 1)
    problems.push(`/policy/version must be expectedVersion + 1 = ${(ev as number) + 1}, not ${raw.version}`);
  if (problems.length || !policy) return { problems };
  return { policy, expectedVersion: ev as number, reason };
}

type PutResult =
  { kind: 'committed' | 'replayed'; entry: PolicyAuditEntry } | { kind: 'stale'; currentVersion: number };

export async function putPolicy(
  deps: RiskAdminDeps,
  principal: Principal,
  policyId: string,
  body: unknown,
): Promise<RiskAdminOutcome> {
  if (!isAdmin(deps, principal)) return { kind: 'forbidden', need: 'RISK_ADMINS' };
  const change = parsePolicyChange(policyId, body);
  if ('problems' in change) return { kind: 'invalid', problems: change.problems };
  const { policy, expectedVersion, reason } = change;
  const auditId = `${policyId}:${policy.version}`;
  const at = deps.clock.now().toISOString();
  const result = await deps.store.runTransaction<PutResult>(async (tx) => {
    const doc = await tx.get<PolicyDoc>(C.policies, policyId);
    const audit = await tx.get<PolicyAuditEntry>(C.policyAudit, auditId);
    // The built-in default is version 1 of 'default' until a policy is stored under that id.
    const before: RiskPolicy | null = doc
      ? (doc.policy as RiskPolicy)
      : policyId === DEFAULT_POLICY_ID
        ? DEFAULT_RISK_POLICY
        : null;
    const current = typeof before?.version === 'number' ? before.version : 0;
    if (
      current === policy.version &&
      audit &&
      audit.actor === principal.id &&
      audit.reason === reason &&
      canonical(audit.after) === canonical(policy)
    )
      return { kind: 'replayed', entry: audit };
    if (current !== expectedVersion) return { kind: 'stale', currentVersion: current };
    const entry: PolicyAuditEntry = {
      auditId,
      policyId,
      version: policy.version,
      actor: principal.id,
      reason,
      at,
      before,
      after: policy,
    };
    tx.set(C.policies, policyId, { policy, updatedBy: principal.id, updatedAt: at } as PolicyDoc);
    // create, not set: two writers that both read version n cannot both record version n + 1.
    tx.create(C.policyAudit, auditId, entry as unknown as DocumentData);
    return { kind: 'committed', entry };
  });
  if (result.kind === 'stale')
    return {
      kind: 'conflict',
      code: 'STALE_VERSION',
      message: `policy ${policyId} is at version ${result.currentVersion}, not ${expectedVersion}: re-read it and apply your change to that version`,
      currentVersion: result.currentVersion,
    };
  const { entry } = result;
  deps.logger.info(result.kind === 'committed' ? 'risk policy changed' : 'risk policy change repeated', {
    policyId,
    version: entry.version,
    auditId: entry.auditId,
  });
  const recorded = await recordPolicyChange(deps, entry, scopeKey(entry.after.scope));
  if (!recorded)
    return {
      kind: 'incomplete',
      auditId: entry.auditId,
      message: `policy ${policyId} version ${entry.version} is committed but its warehouse row is not recorded yet: retry the same request`,
    };
  return {
    kind: 'ok',
    body: {
      policy: entry.after,
      version: entry.version,
      updatedBy: entry.actor,
      updatedAt: entry.at,
      auditId: entry.auditId,
    },
  };
}

// ------------------------------------------------------------------------------------------------- stops

export async function listStops(deps: RiskAdminDeps, principal: Principal): Promise<RiskAdminOutcome> {
  if (!isOperatorOrAdmin(deps, principal))
    return { kind: 'forbidden', need: 'RISK_OPERATORS or RISK_ADMINS' };
  const stops = [...(await readStops(deps.store)).values()].sort((a, b) =>
    a.scopeKey < b.scopeKey ? -1 : 1,
  );
  return { kind: 'ok', body: { stops } };
}

type StopOp = (current: StopRecord) => StopRecord | null;

/**
 * Applies one stop operation. `alreadyDone` recognises the state this very request leaves behind (a retry): the
 * committed transition is then announced again from its audit entry instead of failing or changing anything.
 */
async function applyStop(
  deps: RiskAdminDeps,
  scope: PolicyScope,
  op: StopOp,
  alreadyDone: (current: StopRecord) => boolean,
): Promise<RiskAdminOutcome> {
  let replay = false;
  let transition: StopTransition | null;
  try {
    transition = await changeStop(deps.store, scope, (current) => {
      replay = current.version > 0 && alreadyDone(current);
      return replay ? null : op(current);
    });
  } catch (err) {
    if (err instanceof StopTransitionError) {
      if (err.code === 'REASON_REQUIRED') return { kind: 'invalid', problems: [`/reason: ${err.message}`] };
      return { kind: 'conflict', code: err.code, message: err.message };
    }
    throw err;
  }
  const key = scopeKey(scope);
  if (!transition) {
    const current = (await readStops(deps.store)).get(key);
    if (replay && current) {
      const auditId = `${key}:${current.version}`;
      const audit = await deps.store.get<{ before: StopRecord; after: StopRecord } & DocumentData>(
        C.stopAudit,
        auditId,
      );
      if (audit) transition = { before: audit.before, after: audit.after, auditId };
    }
    if (!transition)
      // Engaging a scope already at least that tight: nothing changed, nothing to announce.
      return { kind: 'ok', body: { changed: false, stop: current ?? null } };
  }
  deps.logger.info(replay ? 'risk stop change repeated' : 'risk stop changed', {
    scopeKey: key,
    auditId: transition.auditId,
    state: transition.after.state,
  });
  if (!(await announceStopTransition(deps, transition)))
    return {
      kind: 'incomplete',
      auditId: transition.auditId,
      message: `the change of ${key} is committed (audit ${transition.auditId}) but its row or alert is not written yet: retry the same request`,
    };
  return {
    kind: 'ok',
    body: { changed: true, repeated: replay, stop: transition.after, auditId: transition.auditId },
  };
}

function stopBody(
  body: unknown,
  extra: readonly string[],
  problems: string[],
): { body: Record<string, unknown>; scope?: PolicyScope; reason: string } {
  if (!isObject(body)) {
    problems.push('(root) must be a JSON object');
    return { body: {}, reason: '' };
  }
  unknownKeys(body, ['scope', 'reason', ...extra], problems);
  return { body, scope: scopeOf(body.scope, problems), reason: reasonOf(body, problems) };
}

export async function engageStop(
  deps: RiskAdminDeps,
  principal: Principal,
  body: unknown,
): Promise<RiskAdminOutcome> {
  if (!isOperatorOrAdmin(deps, principal))
    return { kind: 'forbidden', need: 'RISK_OPERATORS or RISK_ADMINS' };
  const problems: string[] = [];
  const b = stopBody(body, ['state'], problems);
  const state = stateOf(b.body.state, 'state', ['REDUCING', 'HALTED'] as const, problems);
  if (problems.length || !b.scope || !state) return { kind: 'invalid', problems };
  const change = { actor: principal.id, reason: b.reason, at: deps.clock.now() };
  return applyStop(
    deps,
    b.scope,
    (current) => engage(current, state, change, 'manual'),
    (c) =>
      c.state === state && c.changedBy === principal.id && c.reason === b.reason && c.trigger === 'manual',
  );
}

export async function requestStopRelease(
  deps: RiskAdminDeps,
  principal: Principal,
  body: unknown,
): Promise<RiskAdminOutcome> {
  if (!isAdmin(deps, principal)) return { kind: 'forbidden', need: 'RISK_ADMINS' };
  const problems: string[] = [];
  const b = stopBody(body, ['target'], problems);
  const target = stateOf(b.body.target, 'target', STOP_STATES, problems);
  if (problems.length || !b.scope || !target) return { kind: 'invalid', problems };
  const change = { actor: principal.id, reason: b.reason, at: deps.clock.now() };
  return applyStop(
    deps,
    b.scope,
    (current) => requestRelease(current, target, change),
    (c) =>
      c.pendingRelease?.requestedBy === principal.id &&
      c.pendingRelease.target === target &&
      c.pendingRelease.reason === b.reason,
  );
}

export async function approveStopRelease(
  deps: RiskAdminDeps,
  principal: Principal,
  body: unknown,
): Promise<RiskAdminOutcome> {
  if (!isAdmin(deps, principal)) return { kind: 'forbidden', need: 'RISK_ADMINS' };
  const problems: string[] = [];
  const b = stopBody(body, [], problems);
  if (problems.length || !b.scope) return { kind: 'invalid', problems };
  const change = { actor: principal.id, reason: b.reason, at: deps.clock.now() };
  return applyStop(
    deps,
    b.scope,
    (current) => approveRelease(current, change),
    // approveRelease records "<reason> (requested by …)": the last change is this person's approval.
    (c) =>
      c.pendingRelease === null &&
      c.trigger === 'manual' &&
      c.changedBy === principal.id &&
      c.reason.startsWith(`${b.reason} (requested by `),
  );
}
