/**
 * Continuous evaluation turns each tick's violations into events: one when a rule starts being violated and
 * one when it clears, never a repeat every tick. The state per portfolio is the set of active violations and
 * the tick they were last judged at; an evaluation older than that tick is stale and changes nothing (Pub/Sub
 * reorders), and event ids come from portfolio, rule, transition and tick, so a redelivery yields the same
 * ids. A rule that disappears from the policy (or is disabled) clears like one that stopped firing.
 */
import { contentId } from '../ids';
import type { Violation } from './policy';

export interface ActiveViolation {
  violation: Violation;
  since: string;
  sinceTickId: string;
}

export interface LimitState {
  portfolioId: string;
  /** The tick last judged: its time, then the positions' time (a revaluation at the same tick after a
   * position update is newer). */
  asOf: string;
  positionsUpdatedAt: string;
  tickId: string;
  active: Record<string, ActiveViolation>;
}

export interface LimitEvaluation {
  portfolioId: string;
  deskId: string;
  tickId: string;
  asOf: string;
  positionsUpdatedAt: string;
  violations: Violation[];
}

export interface ViolationEvent {
  eventId: string;
  transition: 'STARTED' | 'CLEARED';
  portfolioId: string;
  deskId: string;
  tickId: string;
  asOf: string;
  violation: Violation;
  /** STARTED: this tick; CLEARED: when it had started. */
  since: string;
}

export function violationKey(v: Pick<Violation, 'policyId' | 'ruleId' | 'asset'>): string {
  return `${v.policyId}/${v.ruleId}/${v.asset ?? ''}`;
}

function order(a: Pick<LimitState, 'asOf' | 'positionsUpdatedAt'>): [number, number] {
  return [Date.parse(a.asOf), Date.parse(a.positionsUpdatedAt || '1970-01-01T00:00:00Z')];
}

/** Is `e` older than what `s` already judged? Equal is not older: a redelivery recomputes the same result. */
export function isStale(s: LimitState | null, e: LimitEvaluation): boolean {
  if (!s) return false;
  const [a1, a2] = order(s);
  const [b1, b2] = order(e);
  return b1 < a1 || (b1 === a1 && b2 < a2);
}

export type TransitionOutcome =
  { stale: true } | { stale: false; next: LimitState; events: ViolationEvent[] };

export function limitTransitions(prev: LimitState | null, e: LimitEvaluation): TransitionOutcome {
  if (isStale(prev, e)) return { stale: true };
  const before = prev?.active ?? {};
  const active: Record<string, ActiveViolation> = {};
  const events: ViolationEvent[] = [];
  const event = (transition: ViolationEvent['transition'], v: Violation, since: string): ViolationEvent => ({
    eventId: contentId('rv', e.portfolioId, violationKey(v), transition, e.tickId, e.positionsUpdatedAt),
    transition,
    portfolioId: e.portfolioId,
    deskId: e.deskId,
    tickId: e.tickId,
    asOf: e.asOf,
    violation: v,
    since,
  });
  for (const v of e.violations) {
    const key = violationKey(v);
    const was = before[key];
    // Still violated: keep when it started, refresh the value shown.
    active[key] = was ? { ...was, violation: v } : { violation: v, since: e.asOf, sinceTickId: e.tickId };
    if (!was) events.push(event('STARTED', v, e.asOf));
  }
  for (const [key, was] of Object.entries(before))
    if (!(key in active)) events.push(event('CLEARED', was.violation, was.since));
  events.sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
  return {
    stale: false,
    next: {
      portfolioId: e.portfolioId,
      asOf: e.asOf,
      positionsUpdatedAt: e.positionsUpdatedAt,
      tickId: e.tickId,
      active,
    },
    events,
  };
}
