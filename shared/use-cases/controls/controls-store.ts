/**
 * Where risk policies, kill-switch states and breaker windows live (Firestore, through the DocumentStore port),
 * and the three writes every controls function shares: changing a stop (with its audit entry, in one
 * transaction), recording a hard event against a scope's breaker (tripping it halts the scope in the same
 * transaction), and reading the policies with the invalid ones set aside. Alerts and warehouse rows are the
 * caller's, after the commit, keyed by the audit id so a retry repeats them harmlessly.
 */
import { FIRESTORE_COLLECTIONS } from '../../contracts/firestore';
import { recordHardEvent, type BreakerConfig, type BreakerWindow } from '../../domain/controls/breaker';
import { DEFAULT_POLICY_ID, DEFAULT_RISK_POLICY } from '../../domain/controls/default-policy';
import {
  parseRiskPolicy,
  RiskPolicyError,
  scopeKey,
  type PolicyScope,
  type RiskPolicy,
} from '../../domain/controls/policy';
import {
  activeRecord,
  engage,
  isTighter,
  type StopChange,
  type StopRecord,
} from '../../domain/controls/stops';
import type { DocumentData, DocumentStore, DocumentTransaction } from '../../ports/document-store';

export const CONTROLS_COLLECTIONS = FIRESTORE_COLLECTIONS.controls;
const C = CONTROLS_COLLECTIONS;

/** A stored policy: the document as last written through riskAdmin, and who wrote it. */
export interface PolicyDoc extends DocumentData {
  policy: unknown;
  updatedBy: string;
  updatedAt: string;
}

export interface InvalidPolicy {
  policyId: string;
  version: unknown;
  problems: string[];
  /** The scope the document names, when it names one validly (whom the alert concerns); else global. */
  scopeKey: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** The scope key an unusable document claims, read defensively: anything malformed is 'global'. */
function claimedScopeKey(raw: unknown): string {
  const scope = (raw as { scope?: { level?: unknown; deskId?: unknown; portfolioId?: unknown } } | null)
    ?.scope;
  if (scope?.level === 'desk' && typeof scope.deskId === 'string' && ID.test(scope.deskId))
    return `desk:${scope.deskId}`;
  if (scope?.level === 'portfolio' && typeof scope.portfolioId === 'string' && ID.test(scope.portfolioId))
    return `portfolio:${scope.portfolioId}`;
  return 'global';
}

export interface LoadedPolicies {
  policies: RiskPolicy[];
  invalid: InvalidPolicy[];
}

/**
 * Every stored policy, validated. The built-in default applies until a policy with its id is stored. An
 * invalid document never reaches an evaluator: it is listed with its problems so the caller can keep the last
 * valid version and raise an alert.
 */
export async function readPolicies(store: DocumentStore): Promise<LoadedPolicies> {
  const docs = await store.query<PolicyDoc>(C.policies, []);
  const policies: RiskPolicy[] = [];
  const invalid: InvalidPolicy[] = [];
  for (const d of docs) {
    try {
      const p = parseRiskPolicy(d.data.policy);
      if (p.policyId !== d.id)
        throw new RiskPolicyError([`/policyId '${p.policyId}' is stored under '${d.id}'`]);
      policies.push(p);
    } catch (err) {
      const problems = err instanceof RiskPolicyError ? err.problems : [(err as Error).message];
      const version = (d.data.policy as { version?: unknown } | null)?.version;
      invalid.push({ policyId: d.id, version, problems, scopeKey: claimedScopeKey(d.data.policy) });
    }
  }
  if (!docs.some((d) => d.id === DEFAULT_POLICY_ID)) policies.push(DEFAULT_RISK_POLICY);
  return { policies, invalid };
}

/** Every scope's stop record (scopes never stopped have none). */
export async function readStops(store: DocumentStore): Promise<Map<string, StopRecord>> {
  const docs = await store.query<StopRecord & DocumentData>(C.stops, []);
  return new Map(docs.map((d) => [d.id, d.data]));
}

export interface StopTransition {
  before: StopRecord;
  after: StopRecord;
  /** The audit entry's id: scope key and version, the same on every retry of the same change. */
  auditId: string;
}

async function stopIn(tx: DocumentTransaction, scope: PolicyScope): Promise<StopRecord> {
  return (await tx.get<StopRecord & DocumentData>(C.stops, scopeKey(scope))) ?? activeRecord(scope);
}

function writeStop(tx: DocumentTransaction, before: StopRecord, after: StopRecord): StopTransition {
  const auditId = `${after.scopeKey}:${after.version}`;
  tx.set(C.stops, after.scopeKey, after as unknown as DocumentData);
  // create, not set: two writers that both read version n cannot both record version n + 1.
  tx.create(C.stopAudit, auditId, { auditId, before, after } as unknown as DocumentData);
  return { before, after, auditId };
}

/**
 * Applies `change` to a scope's stop in one transaction with its audit entry. `change` returns null for "no
 * change" (already that tight); it may throw the domain's StopTransitionError, which propagates. Loosening a
 * stop re-arms the scope's breaker, so the events that tripped it cannot trip it again at once.
 */
export async function changeStop(
  store: DocumentStore,
  scope: PolicyScope,
  change: (current: StopRecord) => StopRecord | null,
): Promise<StopTransition | null> {
  return store.runTransaction(async (tx) => {
    const before = await stopIn(tx, scope);
    const window = (await tx.get<BreakerWindow & DocumentData>(C.breakers, scopeKey(scope))) ?? null;
    const after = change(before);
    if (!after) return null;
    if (isTighter(before.state, after.state))
      tx.set(C.breakers, after.scopeKey, {
        ...(window ?? { events: [] }),
        resetAt: after.changedAt,
      } as unknown as DocumentData);
    return writeStop(tx, before, after);
  });
}

export interface BreakerResult {
  counted: boolean;
  count: number;
  /** Set when this event tripped the breaker and halted the scope. */
  halted: StopTransition | null;
}

/**
 * Counts one hard event against a scope's breaker; reaching the threshold halts the scope in the same
 * transaction, so a trip cannot be counted without its stop, or the reverse.
 */
export async function recordBreakerEvent(
  store: DocumentStore,
  scope: PolicyScope,
  event: { id: string; at: string; what: string },
  config: BreakerConfig,
  now: Date,
): Promise<BreakerResult> {
  const key = scopeKey(scope);
  return store.runTransaction(async (tx) => {
    const window = (await tx.get<BreakerWindow & DocumentData>(C.breakers, key)) ?? null;
    const stop = await stopIn(tx, scope);
    const out = recordHardEvent(window, { id: event.id, at: event.at }, config, now);
    if (!out.counted) return { counted: false, count: out.count, halted: null };
    tx.set(C.breakers, key, out.window as unknown as DocumentData);
    let halted: StopTransition | null = null;
    if (out.tripped) {
      const reason = `circuit breaker: ${config.hardEvents} hard events within ${config.windowSeconds} s (last: ${event.what})`;
      const change: StopChange = { actor: 'circuit-breaker', reason, at: now };
      const after = engage(stop, 'HALTED', change, 'breaker');
      if (after) halted = writeStop(tx, stop, after);
    }
    return { counted: true, count: out.count, halted };
  });
}
