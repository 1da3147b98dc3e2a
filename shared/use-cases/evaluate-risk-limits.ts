/**
 * evaluateRiskLimits: every tick, each portfolio's metrics against the rules of the policies in force for it
 * (continuous stage). A rule that starts being violated, or clears, is an event; an event is recorded in the
 * same Firestore transaction that advances the portfolio's limit state (an outbox entry with a content-derived
 * id), then delivered: the alert on alerts.risk.v1 first, then what the rule's kind sets off — a hard or
 * emergency violation counts toward the circuit breakers of the portfolio's scopes, an emergency violation
 * halts its policy's scope at once, and every resulting stop transition is announced (STOP_CHANGED) — then
 * the row in risk.risk_violations. Each step is idempotent on the event id, so a redelivery, a reordered tick
 * or two invocations at once deliver every event exactly once.
 *
 * Without readable policies nothing is judged (the batch is retried): judging by the default alone would
 * "clear" every desk rule.
 */
import { randomUUID } from 'node:crypto';
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
import type { SchemaTypes } from '../contracts/schema-types';
import type { RiskMetrics } from '../domain/controls/metrics';
import {
  breakersFor,
  evaluateRules,
  policiesFor,
  resolveRules,
  type RiskPolicy,
} from '../domain/controls/policy';
import { engage } from '../domain/controls/stops';
import { limitTransitions, type LimitState, type ViolationEvent } from '../domain/controls/violations';
import { idempotencyExpiry } from '../domain/retention';
import { forEachSettled } from '../platform/bounded';
import { RetryableError } from '../platform/errors';
import type { Clock } from '../ports/clock';
import type { DocumentData, DocumentStore } from '../ports/document-store';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';
import type { Warehouse } from '../ports/warehouse';
import { announceStopTransition, limitAlert, violationRow, type RiskAlert } from './controls/announcements';
import { changeStop, recordBreakerEvent, type StopTransition } from './controls/controls-store';
import { claimOutboxEntry, openOutboxEntries, releaseOutboxEntries } from './lease';
import { decidedByPortfolio, decideInChunks } from './batch-decisions';

type PortfolioRisk = SchemaTypes['shared/portfolio-risk'];
type PortfolioRiskBatch = SchemaTypes['messages/risk.portfolio-risk.v1'];

export const LIMIT_COLLECTIONS = FIRESTORE_COLLECTIONS.controls;

export interface LimitDeps {
  store: DocumentStore;
  bus: EventBus;
  warehouse: Warehouse;
  clock: Clock;
  logger: Logger;
  policies: { current(): Promise<RiskPolicy[] | null> };
  deliveryId?: string;
  leaseMs?: number;
}

interface LimitStateDoc extends LimitState {
  [key: string]: unknown;
  /** Outbox ids not yet known to be delivered. */
  pending?: string[];
}

export interface LimitOutboxDoc {
  [key: string]: unknown;
  event: ViolationEvent;
  alert: RiskAlert;
  detectedAt: string;
  delivered: boolean;
  published?: boolean;
  /** The breaker and emergency actions are done; the stop transitions they caused, to announce. */
  controlsApplied?: boolean;
  stopAuditIds?: string[];
  leaseOwner?: string;
  leaseUntil?: number;
}

export interface LimitOutcome {
  applied: boolean;
  events: string[];
  delivered: string[];
  /** Stop transitions this invocation set off (breaker trips, emergency halts). */
  stops: string[];
}

/** What one portfolio's evaluation decided inside the batch's transaction. */
interface LimitDecision {
  applied: boolean;
  /** Entries of earlier events still undelivered when the transaction read them. */
  pending: string[];
  created: LimitOutboxDoc[];
  /** The evaluation could not be decided (bad metrics, a corrupt state document): nothing written for it. */
  failure?: { err: unknown };
}

/** Portfolios decided per transaction: a state and a few events each, far below Firestore's 500 writes. */
export const LIMIT_TRANSACTION_PORTFOLIOS = 100;

/**
 * One transaction for several portfolios: every limit state in one read, every pending outbox entry in a second,
 * then each evaluation decided in order (a portfolio seen twice sees its first decision) and each state written
 * once. Pure over what it reads, as the store may run it again on contention.
 */
async function decideAll(
  deps: LimitDeps,
  risks: readonly PortfolioRisk[],
  inForce: readonly RiskPolicy[],
  owner: string,
  leaseMs: number,
): Promise<LimitDecision[]> {
  const now = deps.clock.now();
  const detectedAt = now.toISOString();
  const C = LIMIT_COLLECTIONS;
  const evaluations = risks.map((risk) => {
    try {
      return { evaluation: evaluationOf(risk, inForce, now) };
    } catch (err) {
      return { failure: { err } };
    }
  });
  return deps.store.runTransaction(async (tx) => {
    const ids = [...new Set(risks.map((r) => r.portfolioId))];
    const read = await tx.getAll(ids.map((id) => ({ collection: C.limitStates, id })));
    const states = new Map(ids.map((id, i) => [id, (read[i] as LimitStateDoc | undefined) ?? null]));
    const open = await openOutboxEntries<LimitOutboxDoc>(
      tx,
      C.limitOutbox,
      ids.map((id) => states.get(id)?.pending),
    );
    const changed = new Set<string>();
    const decisions = risks.map((risk, i): LimitDecision => {
      const e = evaluations[i];
      if (e.failure) return { applied: false, pending: [], created: [], failure: e.failure };
      try {
        const current = states.get(risk.portfolioId) ?? null;
        const pending = (current?.pending ?? []).filter((id) => open.has(id));
        const out = limitTransitions(current, e.evaluation);
        if (out.stale) return { applied: false, pending, created: [] };
        const created = out.events.map((event): LimitOutboxDoc => ({
          event,
          alert: limitAlert(event),
          detectedAt,
          delivered: false,
          // Whoever records the event delivers it first.
          leaseOwner: owner,
          leaseUntil: now.getTime() + leaseMs,
        }));
        for (const doc of created) {
          tx.set(C.limitOutbox, doc.event.eventId, doc);
          open.set(doc.event.eventId, doc);
        }
        states.set(risk.portfolioId, {
          ...out.next,
          pending: [...pending, ...created.map((d) => d.event.eventId)],
        });
        changed.add(risk.portfolioId);
        return { applied: true, pending, created };
      } catch (err) {
        return { applied: false, pending: [], created: [], failure: { err } };
      }
    });
    // Each changed state once, as last decided.
    for (const id of changed) tx.set(C.limitStates, id, states.get(id) as LimitStateDoc);
    return decisions;
  });
}

/** The rules in force for a portfolio judged against its published metrics. */
function evaluationOf(risk: PortfolioRisk, inForce: readonly RiskPolicy[], now: Date) {
  const portfolio = { portfolioId: risk.portfolioId, deskId: risk.deskId };
  const rules = resolveRules(policiesFor(inForce, portfolio, now), 'continuous');
  // The published metrics are the domain's RiskMetrics, validated against their schema on the way in.
  const { violations } = evaluateRules(risk.metrics as RiskMetrics, risk.risk?.figures ?? null, rules);
  return {
    portfolioId: risk.portfolioId,
    deskId: risk.deskId,
    tickId: risk.tickId,
    asOf: risk.asOf,
    positionsUpdatedAt: risk.positionsUpdatedAt ?? '',
    violations,
  };
}

/**
 * A portfolio's undelivered events: earlier ones first (claimed, as another invocation may hold them), then those
 * this invocation recorded and holds. A failed publish throws at once (later alerts must not overtake it); a
 * failure after it lets the portfolio's other alerts go out first and is thrown at the end.
 */
async function deliverAll(
  deps: LimitDeps,
  owner: string,
  leaseMs: number,
  inForce: readonly RiskPolicy[],
  pending: readonly string[],
  created: readonly LimitOutboxDoc[],
): Promise<{ delivered: string[]; stops: string[] }> {
  const delivered: string[] = [];
  const stops: string[] = [];
  let rowFailure: unknown;
  const run = async (doc: LimitOutboxDoc) => {
    const r = await deliverOrRelease(deps, doc, owner, inForce);
    stops.push(...r.stops);
    if (r.rowFailure !== undefined) rowFailure ??= r.rowFailure;
    else delivered.push(doc.event.eventId);
  };
  const mine = new Set(created.map((c) => c.event.eventId));
  for (const id of pending) {
    if (mine.has(id)) continue;
    const claimed = await claimOutboxEntry<LimitOutboxDoc>(deps.store, {
      collection: LIMIT_COLLECTIONS.limitOutbox,
      id,
      owner,
      nowMs: deps.clock.now().getTime(),
      leaseMs,
      what: 'limit event',
    });
    if (claimed) await run(claimed);
  }
  for (const doc of created) await run(doc);
  if (rowFailure !== undefined) throw rowFailure;
  return { delivered, stops };
}

/**
 * Several evaluations: decided in one transaction per chunk, then each portfolio's events delivered, in order,
 * independently of the others. Outcomes in the evaluations' order; a failure fails only its own portfolio.
 */
async function evaluateAll(
  deps: LimitDeps,
  risks: readonly PortfolioRisk[],
  inForce: readonly RiskPolicy[],
): Promise<{ outcome?: LimitOutcome; failure?: { err: unknown } }[]> {
  // One owner per invocation: two deliveries of the same message at once must not share a lease.
  const owner = `${deps.deliveryId ?? 'local'}#${randomUUID()}`;
  const leaseMs = deps.leaseMs ?? 30_000;
  const decisions = await decideInChunks(risks, LIMIT_TRANSACTION_PORTFOLIOS, (chunk) =>
    decideAll(deps, chunk, inForce, owner, leaseMs),
  );
  // A portfolio seen twice delivers once, after its last decision: earlier ones' events go with it, in order.
  const decided = decidedByPortfolio(risks, (i) => !decisions[i].failure);
  const out: { outcome?: LimitOutcome; failure?: { err: unknown } }[] = new Array(risks.length);
  await forEachSettled(
    risks.map((_, i) => i),
    BATCH_CONCURRENCY,
    async (i) => {
      const d = decisions[i];
      const events = d.created.map((c) => c.event.eventId);
      if (d.failure) return void (out[i] = { failure: d.failure });
      const mine = (decided.get(risks[i].portfolioId) ?? []).map((j) => decisions[j]);
      if (mine.at(-1) !== d)
        return void (out[i] = { outcome: { applied: d.applied, events, delivered: [], stops: [] } });
      try {
        const { delivered, stops } = await deliverAll(
          deps,
          owner,
          leaseMs,
          inForce,
          mine[0].pending,
          mine.flatMap((x) => x.created),
        );
        out[i] = { outcome: { applied: d.applied, events, delivered, stops } };
      } catch (err) {
        out[i] = { failure: { err } };
      }
    },
  );
  return out;
}

/** One evaluation (tests, tools): the batch path with one portfolio. */
export async function evaluatePortfolioLimits(
  deps: LimitDeps,
  risk: PortfolioRisk,
  inForce: readonly RiskPolicy[],
): Promise<LimitOutcome> {
  const [r] = await evaluateAll(deps, [risk], inForce);
  if (r.failure) throw r.failure.err;
  return r.outcome as LimitOutcome;
}

/**
 * A failed step gives the lease back at once and keeps what was done (published, controls applied). A
 * failure before the alert went out is thrown at once (later alerts must not overtake it); a failure after
 * it lets the portfolio's other alerts go out first.
 */
async function deliverOrRelease(
  deps: LimitDeps,
  doc: LimitOutboxDoc,
  owner: string,
  inForce: readonly RiskPolicy[],
): Promise<{ stops: string[]; rowFailure?: unknown }> {
  let progress: LimitOutboxDoc = doc;
  const stops: string[] = [];
  try {
    progress = await deliver(deps, doc, owner, inForce, (next) => (progress = next), stops);
    return { stops };
  } catch (err) {
    await releaseOutboxEntries<LimitOutboxDoc>(
      deps.store,
      LIMIT_COLLECTIONS.limitOutbox,
      [doc.event.eventId],
      owner,
      { published: progress.published === true },
    );
    if (!progress.published) throw err;
    deps.logger.warn('limit alert published; the rest of its delivery is finished by the redelivery', {
      eventId: doc.event.eventId,
      portfolioId: doc.event.portfolioId,
    });
    return { stops, rowFailure: err };
  }
}

async function deliver(
  deps: LimitDeps,
  doc: LimitOutboxDoc,
  owner: string,
  inForce: readonly RiskPolicy[],
  onProgress: (d: LimitOutboxDoc) => void,
  stops: string[],
): Promise<LimitOutboxDoc> {
  const C = LIMIT_COLLECTIONS;
  const e = doc.event;
  let d = doc;
  if (!d.published) {
    await deps.bus.publish('alerts.risk.v1', d.alert, {
      attributes: { alertId: d.alert.alertId, kind: d.alert.kind, scopeKey: d.alert.scopeKey },
    });
    d = { ...d, published: true };
    onProgress(d);
  }
  if (!d.controlsApplied) {
    const transitions = await applyControls(deps, d, inForce);
    stops.push(...transitions.map((t) => t.auditId));
    d = { ...d, controlsApplied: true, stopAuditIds: transitions.map((t) => t.auditId) };
    // A halt is recorded before it is announced: a redelivery announces from the audit entries. Without one
    // nothing need be written now: counting again is a no-op (the breaker knows the event id).
    if (transitions.length) await deps.store.set(C.limitOutbox, e.eventId, { ...d, leaseOwner: owner });
    onProgress(d);
  }
  for (const auditId of d.stopAuditIds ?? []) {
    const t = await deps.store.get<StopTransition & DocumentData>(C.stopAudit, auditId);
    if (!t) throw new Error(`stop audit entry ${auditId} is missing`);
    if (!(await announceStopTransition(deps, t)))
      throw new RetryableError(`stop transition ${auditId} not announced yet`);
  }
  await deps.warehouse.insert('risk.risk_violations', [violationRow(e, d.detectedAt)]);
  const done = { ...d, delivered: true, leaseOwner: owner, expireAt: idempotencyExpiry(deps.clock.now()) };
  await deps.store.set(C.limitOutbox, e.eventId, done);
  deps.logger.info('limit event delivered', {
    eventId: e.eventId,
    portfolioId: e.portfolioId,
    transition: e.transition,
    policyId: e.violation.policyId,
    ruleId: e.violation.ruleId,
    kind: e.violation.kind,
  });
  return done;
}

/**
 * What a violation that starts sets off beyond its alert: hard and emergency ones count toward each breaker of
 * the portfolio's scopes (the event id makes a second count impossible); an emergency one halts its policy's
 * scope at once. Clearances and soft violations set off nothing.
 */
async function applyControls(
  deps: LimitDeps,
  doc: LimitOutboxDoc,
  inForce: readonly RiskPolicy[],
): Promise<StopTransition[]> {
  const e = doc.event;
  const v = e.violation;
  if (e.transition !== 'STARTED' || v.kind === 'soft') return [];
  const now = deps.clock.now();
  const transitions: StopTransition[] = [];
  const what = `${v.kind} rule ${v.policyId}/${v.ruleId} on ${e.portfolioId}`;
  if (v.kind === 'emergency') {
    const reason = `emergency rule ${v.policyId}/${v.ruleId} violated by ${e.portfolioId} (${v.metric} ${v.operator} ${v.threshold})`;
    const halted = await changeStop(deps.store, v.scope, (current) =>
      engage(current, 'HALTED', { actor: 'emergency-rule', reason, at: now }, 'emergency-rule'),
    );
    if (halted) transitions.push(halted);
  }
  const portfolio = { portfolioId: e.portfolioId, deskId: e.deskId };
  for (const { scope, config } of breakersFor(policiesFor(inForce, portfolio, now), portfolio)) {
    const out = await recordBreakerEvent(
      deps.store,
      scope,
      { id: e.eventId, at: doc.detectedAt, what },
      config,
      now,
    );
    if (out.halted) transitions.push(out.halted);
  }
  for (const t of transitions)
    deps.logger.error('scope HALTED by risk limits', {
      scopeKey: t.after.scopeKey,
      trigger: t.after.trigger,
      auditId: t.auditId,
      eventId: e.eventId,
    });
  return transitions;
}

/** Portfolios of one batch delivered at a time: independent documents. */
const BATCH_CONCURRENCY = 16;

/**
 * A risk.portfolio-risk.v1 batch: decided in one transaction (per 100 portfolios), then every portfolio's events
 * delivered on their own; a failure of one does not stop the others and is rethrown afterwards, so the batch is
 * redelivered and the portfolios already judged see a repeat that changes nothing but finishes pending deliveries.
 */
export async function evaluateRiskLimitsBatch(
  deps: LimitDeps,
  batch: PortfolioRiskBatch,
): Promise<LimitOutcome[]> {
  const inForce = await deps.policies.current();
  if (!inForce) throw new RetryableError('risk policies could not be read: limits not judged, retrying');
  const results = await evaluateAll(deps, batch.portfolios, inForce);
  const failed = results.find((r) => r.failure);
  if (failed?.failure) throw failed.failure.err;
  return results.map((r) => r.outcome as LimitOutcome);
}
