/**
 * The kill switch: a stop state per scope (global, desk, portfolio). Tightening is immediate and open to any
 * authorised operator, the breaker or an emergency rule; loosening takes two different people — one requests
 * with a reason, another approves with a reason — because re-enabling a halted desk in a crash is the
 * decision most worth a second pair of eyes. A portfolio obeys the tightest of its three scopes.
 */
import { scopeKey, scopesOf, type PolicyScope, type PortfolioScope } from './policy';

export const STOP_STATES = ['ACTIVE', 'REDUCING', 'HALTED'] as const;
export type StopState = (typeof STOP_STATES)[number];

const RANK: Record<StopState, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

export type StopTrigger = 'manual' | 'breaker' | 'emergency-rule';

export interface PendingRelease {
  target: StopState;
  requestedBy: string;
  reason: string;
  requestedAt: string;
}

export interface StopRecord {
  scopeKey: string;
  scope: PolicyScope;
  state: StopState;
  /** Increases with every change: the admin API's optimistic concurrency and the audit's sequence. */
  version: number;
  changedBy: string;
  reason: string;
  changedAt: string;
  trigger: StopTrigger;
  pendingRelease: PendingRelease | null;
}

export class StopTransitionError extends Error {
  constructor(
    message: string,
    readonly code: 'NOT_TIGHTER' | 'NOT_LOOSER' | 'NO_PENDING_RELEASE' | 'SAME_PERSON' | 'REASON_REQUIRED',
  ) {
    super(message);
    this.name = 'StopTransitionError';
  }
}

export function activeRecord(scope: PolicyScope): StopRecord {
  return {
    scopeKey: scopeKey(scope),
    scope,
    state: 'ACTIVE',
    version: 0,
    changedBy: 'system',
    reason: 'never stopped',
    changedAt: '1970-01-01T00:00:00.000Z',
    trigger: 'manual',
    pendingRelease: null,
  };
}

function requireReason(reason: string): void {
  if (reason.trim().length === 0) throw new StopTransitionError('a reason is required', 'REASON_REQUIRED');
}

export interface StopChange {
  actor: string;
  reason: string;
  at: Date;
}

/**
 * Tightens a scope's stop. Returns null when the scope is already at least that tight (an automatic trigger
 * redelivered, or two operators pressing at once, changes nothing). A pending release is cancelled: a new
 * stop supersedes whatever was being approved.
 */
export function engage(
  record: StopRecord,
  state: Exclude<StopState, 'ACTIVE'>,
  change: StopChange,
  trigger: StopTrigger,
): StopRecord | null {
  requireReason(change.reason);
  if (RANK[state] <= RANK[record.state]) return null;
  return {
    ...record,
    state,
    version: record.version + 1,
    changedBy: change.actor,
    reason: change.reason,
    changedAt: change.at.toISOString(),
    trigger,
    pendingRelease: null,
  };
}

/** First of the two people: asks to loosen the scope to `target`. */
export function requestRelease(record: StopRecord, target: StopState, change: StopChange): StopRecord {
  requireReason(change.reason);
  if (RANK[target] >= RANK[record.state])
    throw new StopTransitionError(
      `${record.scopeKey} is ${record.state}: ${target} would not loosen it`,
      'NOT_LOOSER',
    );
  return {
    ...record,
    version: record.version + 1,
    pendingRelease: {
      target,
      requestedBy: change.actor,
      reason: change.reason,
      requestedAt: change.at.toISOString(),
    },
  };
}

/** Second of the two people: approves the pending release; never the person who requested it. */
export function approveRelease(record: StopRecord, change: StopChange): StopRecord {
  requireReason(change.reason);
  const pending = record.pendingRelease;
  if (!pending)
    throw new StopTransitionError(
      `${record.scopeKey} has no release waiting for approval`,
      'NO_PENDING_RELEASE',
    );
  if (pending.requestedBy === change.actor)
    throw new StopTransitionError(
      `${change.actor} requested this release; a different person must approve it`,
      'SAME_PERSON',
    );
  return {
    ...record,
    state: pending.target,
    version: record.version + 1,
    changedBy: change.actor,
    reason: `${change.reason} (requested by ${pending.requestedBy}: ${pending.reason})`,
    changedAt: change.at.toISOString(),
    trigger: 'manual',
    pendingRelease: null,
  };
}

export interface EffectiveStop {
  state: StopState;
  /** The record that imposes it (the tightest; the widest scope on a tie), null when all are ACTIVE. */
  imposedBy: StopRecord | null;
}

/** The stop a portfolio obeys: the tightest of global, its desk and itself. */
export function effectiveStop(
  records: ReadonlyMap<string, StopRecord>,
  portfolio: PortfolioScope,
): EffectiveStop {
  let best: EffectiveStop = { state: 'ACTIVE', imposedBy: null };
  for (const scope of scopesOf(portfolio)) {
    const r = records.get(scopeKey(scope));
    if (r && RANK[r.state] > RANK[best.state]) best = { state: r.state, imposedBy: r };
  }
  return best;
}

export function isTighter(a: StopState, b: StopState): boolean {
  return RANK[a] > RANK[b];
}
