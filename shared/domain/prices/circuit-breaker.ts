/**
 * Circuit breaker per price source, as a pure state machine over a JSON-safe state (it is persisted).
 *
 *   CLOSED ──(failureThreshold consecutive failed reads)──▶ OPEN ──(cool-down elapsed)──▶ HALF_OPEN
 *     ▲                                                       ▲                              │
 *     └──────────────────── trial read succeeds ──────────────┼──────────────────────────────┤
 *                                                             └── trial read fails: cool-down doubles (capped)
 *
 * While OPEN the source is not called at all: a dead RPC node or a rate-limited Hermes host (429 for 60 s)
 * gets no traffic from us, and the tick does not wait on its timeouts. A read counts as failed when it
 * produced no reading for any requested asset; bad data from a reachable source is the validation rules' job.
 *
 * Where the state lives is the use case's choice (it persists it in the DocumentStore, so a cold start or a
 * second instance does not forget an open circuit and hammer the source again).
 */

export type CircuitStatus = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export interface CircuitBreakerPolicy {
  /** Consecutive failed reads that open the circuit. */
  failureThreshold: number;
  /** First cool-down after opening. */
  coolDownMs: number;
  /** Each failed trial doubles the cool-down up to this. */
  maxCoolDownMs: number;
}

export interface CircuitState {
  status: CircuitStatus;
  consecutiveFailures: number;
  /** Cool-down currently applied (ms); doubles on each failed trial. */
  coolDownMs: number;
  /** When an OPEN circuit lets the next trial through (ISO). */
  retryAt?: string;
  /** When it last opened (ISO). */
  openedAt?: string;
  /** Last failure reason, for the alert and the logs. */
  lastFailure?: string;
}

export const INITIAL_CIRCUIT: CircuitState = { status: 'CLOSED', consecutiveFailures: 0, coolDownMs: 0 };

export type CircuitEvent = 'OPENED' | 'TRIAL' | 'REOPENED' | 'CLOSED';

export interface CallPermission {
  allowed: boolean;
  state: CircuitState;
  event?: CircuitEvent;
}

/** Decides whether the source may be called now; an OPEN circuit whose cool-down is over goes HALF_OPEN. */
export function permitCall(state: CircuitState, now: Date): CallPermission {
  if (state.status !== 'OPEN') return { allowed: true, state };
  if (state.retryAt !== undefined && now.getTime() >= Date.parse(state.retryAt)) {
    return { allowed: true, state: { ...state, status: 'HALF_OPEN' }, event: 'TRIAL' };
  }
  return { allowed: false, state };
}

export interface CallRecord {
  state: CircuitState;
  event?: CircuitEvent;
}

export function recordSuccess(state: CircuitState): CallRecord {
  const closed: CircuitState = { status: 'CLOSED', consecutiveFailures: 0, coolDownMs: 0 };
  return state.status === 'CLOSED' ? { state: closed } : { state: closed, event: 'CLOSED' };
}

export function recordFailure(
  state: CircuitState,
  now: Date,
  policy: CircuitBreakerPolicy,
  reason: string,
): CallRecord {
  const failures = state.consecutiveFailures + 1;
  if (state.status === 'HALF_OPEN' || state.status === 'OPEN') {
    // The trial failed: back off further so a long outage costs one call per (growing) cool-down.
    const coolDownMs = Math.min(Math.max(state.coolDownMs * 2, policy.coolDownMs), policy.maxCoolDownMs);
    return {
      state: open(now, coolDownMs, failures, reason, state.openedAt ?? now.toISOString()),
      event: 'REOPENED',
    };
  }
  if (failures >= policy.failureThreshold) {
    return { state: open(now, policy.coolDownMs, failures, reason, now.toISOString()), event: 'OPENED' };
  }
  return { state: { ...state, consecutiveFailures: failures, lastFailure: reason } };
}

function open(
  now: Date,
  coolDownMs: number,
  failures: number,
  reason: string,
  openedAt: string,
): CircuitState {
  return {
    status: 'OPEN',
    consecutiveFailures: failures,
    coolDownMs,
    retryAt: new Date(now.getTime() + coolDownMs).toISOString(),
    openedAt,
    lastFailure: reason,
  };
}

/** Reads a persisted state defensively: anything unrecognisable starts closed rather than failing the tick. */
export function circuitFromDocument(doc: Record<string, unknown> | undefined): CircuitState {
  if (!doc) return INITIAL_CIRCUIT;
  const status = doc.status;
  if (status !== 'CLOSED' && status !== 'OPEN' && status !== 'HALF_OPEN') return INITIAL_CIRCUIT;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const state: CircuitState = {
    status,
    consecutiveFailures: num(doc.consecutiveFailures),
    coolDownMs: num(doc.coolDownMs),
  };
  const retryAt = str(doc.retryAt);
  const openedAt = str(doc.openedAt);
  const lastFailure = str(doc.lastFailure);
  if (retryAt) state.retryAt = retryAt;
  if (openedAt) state.openedAt = openedAt;
  if (lastFailure) state.lastFailure = lastFailure;
  // An OPEN state without a retry time would never recover by itself.
  if (state.status === 'OPEN' && !state.retryAt) return { ...state, status: 'HALF_OPEN' };
  return state;
}
