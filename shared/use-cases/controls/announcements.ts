/**
 * What follows a committed controls change, outside its transaction: the warehouse row and, for a stop, the
 * CRITICAL alert to the risk desk. Both are keyed by the Firestore audit id (row id = audit id; alertId derived
 * from it), so repeating them after a failure or a retried request records and announces the change once.
 */
import type { SchemaTypes } from '../../contracts/schema-types';
import type { TableRows } from '../../contracts/schema-types';
import { contentId } from '../../domain/ids';
import { isTighter, type StopRecord } from '../../domain/controls/stops';
import { scopeKey as policyScopeKey } from '../../domain/controls/policy';
import type { EventBus } from '../../ports/event-bus';
import type { Logger } from '../../ports/logger';
import type { Warehouse } from '../../ports/warehouse';
import type { ViolationEvent } from '../../domain/controls/violations';
import type { InvalidPolicy, StopTransition } from './controls-store';

export type RiskAlert = SchemaTypes['messages/alerts.risk.v1'];
export type StopRow = TableRows['risk.emergency_stops'];
export type ViolationRow = TableRows['risk.risk_violations'];
export type StopTransitionKind = NonNullable<RiskAlert['transition']>;

export interface AnnounceDeps {
  bus: EventBus;
  warehouse: Warehouse;
  logger: Logger;
  /** Tries of each write before giving up (default 3). */
  attempts?: number;
}

/** What a stop transition did: tightened, asked to loosen, or loosened. */
export function transitionKind(before: StopRecord, after: StopRecord): StopTransitionKind {
  if (isTighter(after.state, before.state)) return 'ENGAGED';
  if (isTighter(before.state, after.state)) return 'RELEASED';
  return 'RELEASE_REQUESTED';
}

function scopeIds(r: StopRecord): { deskId?: string; portfolioId?: string } {
  if (r.scope.level === 'desk') return { deskId: r.scope.deskId };
  if (r.scope.level === 'portfolio') return { portfolioId: r.scope.portfolioId };
  return {};
}

/** The actor and reason of a transition: a release request's are on the pending release, not the record. */
function who(t: StopTransition): { actor: string; reason: string; at: string } {
  const p = t.after.pendingRelease;
  if (transitionKind(t.before, t.after) === 'RELEASE_REQUESTED' && p)
    return { actor: p.requestedBy, reason: p.reason, at: p.requestedAt };
  return { actor: t.after.changedBy, reason: t.after.reason, at: t.after.changedAt };
}

/** STOP_CHANGED: always CRITICAL, one per audit entry. */
export function stopChangedAlert(t: StopTransition): RiskAlert {
  const kind = transitionKind(t.before, t.after);
  const w = who(t);
  return {
    alertId: contentId('risk', 'STOP_CHANGED', t.auditId),
    kind: 'STOP_CHANGED',
    severity: 'CRITICAL',
    scopeKey: t.after.scopeKey,
    ...scopeIds(t.after),
    auditId: t.auditId,
    transition: kind,
    stateBefore: t.before.state,
    stateAfter: t.after.state,
    ...(kind === 'RELEASE_REQUESTED' && t.after.pendingRelease
      ? { pendingTarget: t.after.pendingRelease.target }
      : {}),
    trigger: t.after.trigger,
    actor: w.actor,
    reason: w.reason.slice(0, 2000),
    at: w.at,
  };
}

export function stopRow(t: StopTransition): StopRow {
  const w = who(t);
  const ids = scopeIds(t.after);
  return {
    audit_id: t.auditId,
    scope_key: t.after.scopeKey,
    scope_level: t.after.scope.level,
    desk_id: ids.deskId ?? null,
    portfolio_id: ids.portfolioId ?? null,
    version: t.after.version,
    transition: transitionKind(t.before, t.after),
    state_before: t.before.state,
    state_after: t.after.state,
    pending_target: t.after.pendingRelease?.target ?? null,
    trigger: t.after.trigger,
    actor: w.actor,
    reason: w.reason,
    changed_at: w.at,
  };
}

/** POLICY_INVALID: for whoever finds a stored policy it cannot use (the evaluators' PolicyCache.onInvalid). */
export function policyInvalidAlert(bad: InvalidPolicy, scopeKey: string, at: Date): RiskAlert {
  return {
    alertId: contentId('risk', 'POLICY_INVALID', bad.policyId, String(bad.version)),
    kind: 'POLICY_INVALID',
    severity: 'CRITICAL',
    scopeKey,
    policyId: bad.policyId,
    ...(Number.isInteger(bad.version) && (bad.version as number) >= 0
      ? { policyVersion: bad.version as number }
      : {}),
    problems: bad.problems.slice(0, 50).map((p) => p.slice(0, 1000)),
    at: at.toISOString(),
  };
}

/**
 * RISK_LIMIT_BREACHED / RISK_LIMIT_CLEARED for one violation event: soft → WARNING, hard and emergency →
 * CRITICAL, a clearance INFO. Per portfolio (the scope the desk acts on), with the rule, the value and the
 * threshold, so the message says what broke without a lookup.
 */
export function limitAlert(e: ViolationEvent): RiskAlert {
  const v = e.violation;
  const started = e.transition === 'STARTED';
  return {
    alertId: contentId('risk', 'LIMIT', e.eventId),
    kind: started ? 'RISK_LIMIT_BREACHED' : 'RISK_LIMIT_CLEARED',
    severity: !started ? 'INFO' : v.kind === 'soft' ? 'WARNING' : 'CRITICAL',
    scopeKey: `portfolio:${e.portfolioId}`,
    deskId: e.deskId,
    portfolioId: e.portfolioId,
    policyId: v.policyId,
    policyVersion: v.policyVersion,
    ruleId: v.ruleId,
    eventId: e.eventId,
    ruleKind: v.kind,
    metric: v.metric,
    ...(v.asset !== undefined ? { asset: v.asset } : {}),
    operator: v.operator,
    threshold: v.threshold,
    value: v.value,
    ...(v.valueState ? { valueState: v.valueState } : {}),
    tickId: e.tickId,
    since: e.since,
    at: e.asOf,
  };
}

export function violationRow(e: ViolationEvent, detectedAt: string): ViolationRow {
  const v = e.violation;
  return {
    event_id: e.eventId,
    transition: e.transition,
    portfolio_id: e.portfolioId,
    desk_id: e.deskId,
    policy_id: v.policyId,
    policy_version: v.policyVersion,
    rule_id: v.ruleId,
    rule_kind: v.kind,
    policy_scope: policyScopeKey(v.scope),
    metric: v.metric,
    asset: v.asset ?? null,
    operator: v.operator,
    threshold: v.threshold,
    value: v.value,
    value_state: v.valueState ?? null,
    tick_id: e.tickId,
    as_of: e.asOf,
    since: e.since,
    detected_at: detectedAt,
  };
}

/** Runs `write` up to `attempts` times; false (logged) when every try failed. */
export async function tryTimes(
  deps: AnnounceDeps,
  what: string,
  id: string,
  write: () => Promise<unknown>,
): Promise<boolean> {
  const attempts = deps.attempts ?? 3;
  for (let i = 1; i <= attempts; i++) {
    try {
      await write();
      return true;
    } catch (err) {
      deps.logger.warn(`${what} failed`, { auditId: id, attempt: i, detail: (err as Error).message });
    }
  }
  deps.logger.error(`${what} failed after ${attempts} attempts; a retry of the request repeats it`, {
    auditId: id,
  });
  return false;
}

/** The row, then the alert (both tried even if the first fails); true when both are done. */
export async function announceStopTransition(deps: AnnounceDeps, t: StopTransition): Promise<boolean> {
  const row = await tryTimes(deps, 'risk.emergency_stops insert', t.auditId, () =>
    deps.warehouse.insert('risk.emergency_stops', [stopRow(t)]),
  );
  const alert = stopChangedAlert(t);
  const published = await tryTimes(deps, 'STOP_CHANGED alert', t.auditId, () =>
    deps.bus.publish('alerts.risk.v1', alert, {
      attributes: { alertId: alert.alertId, kind: alert.kind, scopeKey: alert.scopeKey },
    }),
  );
  return row && published;
}
