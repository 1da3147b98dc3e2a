/**
 * checkRisk: the pre-trade / pre-borrow / pre-withdraw check. Policies, stops, prices and the VaR engine come
 * from instance memory (ControlsState); the only reads on the hot path are the ones the answer needs and no
 * other instance can hold for us: the portfolio, its reservations and the recorded decision of this requestId,
 * in ONE transaction that also writes the decision (and, when approved, the reservation). So:
 *
 * - a repeated requestId gets the first decision (this instance's memory, else the record), never a second
 *   evaluation;
 * - two concurrent requests on one portfolio serialize on its reservations document: an approved action counts
 *   against the limits until the position update carrying it arrives (appliedRequestIds) or it expires;
 * - any failure is a denial with its reason (decidePreTrade never throws; a store that cannot be reached is
 *   STORE_UNAVAILABLE), except risk-reducing actions, approved in every state and recorded when the store is
 *   back.
 *
 * The decision record is written before the answer (in the transaction), so it is durable even on an instance
 * whose CPU is throttled between requests; the warehouse row and breaker events follow off the hot path.
 */
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
import type { TableRows } from '../contracts/schema-types';
import { breakersFor, policiesFor, type RiskPolicy } from '../domain/controls/policy';
import {
  decidePreTrade,
  isHardDenial,
  RISK_REDUCING,
  type PreTradeDecision,
  type PreTradeRequest,
} from '../domain/controls/pre-trade';
import { idempotencyExpiry } from '../domain/retention';
import type { Clock } from '../ports/clock';
import type { Position } from '../domain/risk/margin';
import type { DocumentData, DocumentStore } from '../ports/document-store';
import type { Logger } from '../ports/logger';
import { CONTROLS_COLLECTIONS } from './controls/controls-store';
import type { ControlsState } from './controls/controls-state';
import type { DecisionRecorder } from './controls/decision-recorder';
import type { KeyedQueue } from '../platform/keyed-queue';
import { BoundedMap } from '../platform/bounded-map';

export type CheckRiskRequest = PreTradeRequest;

/** The portfolio document computePortfolioRisk keeps (applyPositions), as far as the check reads it. */
interface PortfolioDoc extends DocumentData {
  portfolioId: string;
  deskId?: string;
  positions: Position[];
  /** The checkRisk requests its positions include: no longer counted as reserved. */
  appliedRequestIds?: string[];
}

/** The answer: a denial is an answer too (HTTP 200), with every reason and broken rule. */
export type CheckRiskResponse = Pick<
  PreTradeDecision,
  | 'decisionId'
  | 'requestId'
  | 'decision'
  | 'reasons'
  | 'violations'
  | 'warnings'
  | 'stop'
  | 'post'
  | 'decidedAt'
  | 'historyGaps'
>;

export interface CheckRiskOutcome {
  response: CheckRiskResponse;
  /** new: evaluated now; memory / recorded: the first decision of this requestId, returned again. */
  source: 'new' | 'memory' | 'recorded';
}

/** One approved, risk-adding action on a portfolio, counted until its position update arrives. */
export interface Reservation {
  requestId: string;
  request: PreTradeRequest;
  expiresAt: string;
}

export interface ReservationsDoc extends DocumentData {
  portfolioId: string;
  entries: Reservation[];
}

export interface DecisionDoc extends DocumentData {
  decision: PreTradeDecision;
  request: PreTradeRequest;
  caller: string;
  /** Firestore TTL field (firestore.json): the record outlives every retry of the request. */
  expireAt: Date;
}

export interface CheckRiskDeps {
  store: DocumentStore;
  clock: Clock;
  logger: Logger;
  controls: ControlsState;
  recorder: DecisionRecorder;
  memory: RecentDecisions;
  reservationMs: number;
  /**
   * How long the answer waits for the store (default 5 s): a store that hangs instead of failing is treated as
   * unreachable, so repay still passes and the rest is denied well before the function's own timeout.
   */
  storeTimeoutMs?: number;
  /** Requests on one portfolio in this instance, one at a time: they would only conflict in the store. */
  portfolios?: KeyedQueue;
}

/** This instance's decisions by requestId, bounded (oldest dropped first; the record stays the authority). */
export class RecentDecisions {
  private readonly done: BoundedMap<string, CheckRiskResponse>;
  private readonly inFlight = new Map<string, Promise<CheckRiskOutcome>>();

  constructor(capacity = 50_000) {
    this.done = new BoundedMap(capacity);
  }

  get(requestId: string): CheckRiskResponse | undefined {
    return this.done.get(requestId);
  }

  remember(r: CheckRiskResponse): void {
    this.done.set(r.requestId, r);
  }

  /** Concurrent requests with one requestId on this instance share one evaluation. */
  once(requestId: string, run: () => Promise<CheckRiskOutcome>): Promise<CheckRiskOutcome> {
    const running = this.inFlight.get(requestId);
    if (running) return running.then((o) => ({ ...o, source: 'memory' as const }));
    const p = run().finally(() => this.inFlight.delete(requestId));
    this.inFlight.set(requestId, p);
    return p;
  }
}

export function responseOf(d: PreTradeDecision): CheckRiskResponse {
  return {
    decisionId: d.decisionId,
    requestId: d.requestId,
    decision: d.decision,
    reasons: d.reasons,
    violations: d.violations,
    warnings: d.warnings,
    stop: d.stop,
    post: d.post,
    decidedAt: d.decidedAt,
    ...(d.historyGaps ? { historyGaps: d.historyGaps } : {}),
  };
}

/** Firestore refuses undefined values; the stored shapes are JSON anyway. */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function liveReservations(
  doc: ReservationsDoc | undefined,
  portfolio: PortfolioDoc | undefined,
  now: Date,
): Reservation[] {
  const carried = new Set(portfolio?.appliedRequestIds ?? []);
  return (doc?.entries ?? []).filter(
    (r) => Date.parse(r.expiresAt) > now.getTime() && !carried.has(r.requestId),
  );
}

export async function checkRisk(
  deps: CheckRiskDeps,
  request: CheckRiskRequest,
  caller: string,
): Promise<CheckRiskOutcome> {
  const remembered = deps.memory.get(request.requestId);
  if (remembered) return { response: remembered, source: 'memory' };
  // The bound on waiting for the store starts now, queueing behind this portfolio's earlier requests included.
  const deadline = Date.now() + (deps.storeTimeoutMs ?? 5000);
  const run = () => evaluate(deps, request, caller, deadline);
  return deps.memory.once(request.requestId, () =>
    deps.portfolios ? deps.portfolios.run(request.portfolioId, run) : run(),
  );
}

async function evaluate(
  deps: CheckRiskDeps,
  req: CheckRiskRequest,
  caller: string,
  deadline: number,
): Promise<CheckRiskOutcome> {
  const D = CONTROLS_COLLECTIONS;
  let outcome: { decision: PreTradeDecision; source: 'new' | 'recorded' };
  // The in-memory state as of the decision: a transaction retried after contention decides with fresh state.
  let snapshot = await deps.controls.snapshot();
  // Set when the answer stopped waiting: the transaction then writes nothing (it aborts if it gets that far). A
  // commit already in flight may still land: its reservation then only over-counts until it expires.
  let abandoned = false;
  let timer: NodeJS.Timeout | undefined;
  const timeoutMs = deadline - Date.now();
  try {
    if (timeoutMs <= 0)
      throw new Error('the store did not answer the earlier requests on this portfolio in time');
    const transaction = deps.store.runTransaction(async (tx) => {
      // One read for the three documents: a round trip is most of the answer's time.
      const [recorded, portfolio, reservations] = (await tx.getAll([
        { collection: D.decisions, id: req.requestId },
        { collection: FIRESTORE_COLLECTIONS.risk.portfolios, id: req.portfolioId },
        { collection: D.reservations, id: req.portfolioId },
      ])) as [DecisionDoc | undefined, PortfolioDoc | undefined, ReservationsDoc | undefined];
      if (abandoned) throw new Error('answered without the store meanwhile');
      if (recorded) return { decision: recorded.decision, source: 'recorded' as const };
      snapshot = await deps.controls.snapshot();
      const now = deps.clock.now();
      const live = liveReservations(reservations, portfolio, now);
      const decision = decidePreTrade(req, {
        ...snapshot,
        now,
        portfolio: portfolio
          ? {
              portfolioId: portfolio.portfolioId,
              deskId: portfolio.deskId ?? 'default',
              positions: portfolio.positions,
            }
          : null,
        reserved: live.map((r) => r.request),
      });
      tx.set(D.decisions, req.requestId, {
        decision: plain(decision),
        request: plain(req),
        caller,
        expireAt: idempotencyExpiry(now),
      } satisfies DecisionDoc);
      const reserving = decision.decision === 'APPROVE' && !decision.riskReducing;
      if (reserving || live.length !== (reservations?.entries.length ?? 0)) {
        const entries = reserving
          ? [
              ...live,
              {
                requestId: req.requestId,
                request: plain(req),
                expiresAt: new Date(now.getTime() + deps.reservationMs).toISOString(),
              },
            ]
          : live;
        tx.set(D.reservations, req.portfolioId, {
          portfolioId: req.portfolioId,
          entries,
        } satisfies ReservationsDoc);
      }
      return { decision, source: 'new' as const };
    });
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abandoned = true;
        reject(new Error(`the store did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    // A late failure of the abandoned transaction is expected and already answered for.
    transaction.catch(() => undefined);
    outcome = await Promise.race([transaction, timedOut]);
  } catch (err) {
    outcome = { decision: unreachable(deps, req, snapshot.stops, err as Error, caller), source: 'new' };
  } finally {
    clearTimeout(timer);
  }
  const response = responseOf(outcome.decision);
  deps.memory.remember(response);
  if (outcome.source === 'new') afterDecision(deps, req, outcome.decision, snapshot.policies, caller);
  return { response, source: outcome.source };
}

/**
 * The store could not be reached: a risk-reducing action is approved (it cannot add risk) and recorded when the
 * store is back; anything else is denied, since neither the portfolio nor the actions already approved on it are
 * known.
 */
function unreachable(
  deps: CheckRiskDeps,
  req: CheckRiskRequest,
  stops: Awaited<ReturnType<ControlsState['snapshot']>>['stops'],
  err: Error,
  caller: string,
): PreTradeDecision {
  const now = deps.clock.now();
  deps.logger.error('checkRisk could not reach the store', {
    requestId: req.requestId,
    portfolioId: req.portfolioId,
    detail: err.message,
  });
  const base = decidePreTrade(req, {
    now,
    portfolio: null,
    reserved: [],
    prices: new Map(),
    policies: null,
    stops,
    stopsConfirmedAt: null,
    stopsMaxStalenessMs: 0,
  });
  const decision: PreTradeDecision = RISK_REDUCING.has(req.action)
    ? base
    : {
        ...base,
        decision: 'DENY',
        reasons: [
          {
            code: 'STORE_UNAVAILABLE',
            message: `the portfolio and its pending approvals could not be read: ${err.message}`,
          },
        ],
      };
  deps.recorder.record(req.requestId, {
    decision: plain(decision),
    request: plain(req),
    caller,
    expireAt: idempotencyExpiry(now),
  } satisfies DecisionDoc);
  return decision;
}

function afterDecision(
  deps: CheckRiskDeps,
  req: CheckRiskRequest,
  d: PreTradeDecision,
  policies: readonly RiskPolicy[] | null,
  caller: string,
): void {
  deps.recorder.row(decisionRow(req, d, caller));
  if (!isHardDenial(d) || !d.deskId || !policies) return;
  const portfolio = { portfolioId: d.portfolioId, deskId: d.deskId };
  for (const { scope, config } of breakersFor(
    policiesFor(policies, portfolio, new Date(d.decidedAt)),
    portfolio,
  ))
    deps.recorder.breakerEvent({
      scope,
      config,
      event: {
        id: d.decisionId,
        at: d.decidedAt,
        what: `pre-trade ${d.action} on ${d.portfolioId} denied: ${d.reasons.map((r) => r.code).join(', ')}`,
      },
    });
}

export function decisionRow(
  req: CheckRiskRequest,
  d: PreTradeDecision,
  caller: string,
): TableRows['risk.pre_trade_decisions'] {
  return {
    decision_id: d.decisionId,
    request_id: d.requestId,
    portfolio_id: d.portfolioId,
    desk_id: d.deskId,
    action: d.action,
    asset: req.asset,
    amount: req.amount,
    to_asset: req.toAsset ?? null,
    to_amount: req.toAmount ?? null,
    decision: d.decision,
    risk_reducing: d.riskReducing,
    reason_codes: d.reasons.length ? d.reasons.map((r) => r.code).join(',') : null,
    reasons_json: JSON.stringify(d.reasons),
    violations_json: JSON.stringify(d.violations),
    warnings_json: JSON.stringify(d.warnings),
    stop_state: d.stop.state,
    stop_scope: d.stop.scopeKey,
    post_health_score: d.post?.healthScore ?? null,
    post_leverage: d.post?.leverage ?? null,
    post_equity_usd: d.post?.equityUsd ?? null,
    caller,
    decided_at: d.decidedAt,
  };
}
