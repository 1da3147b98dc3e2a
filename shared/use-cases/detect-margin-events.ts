/**
 * detectMarginEvents: one health-state machine per portfolio. A transition is recorded in the same
 * Firestore transaction that advances the state (an outbox document with a content-derived id), then
 * written to risk.margin_events and published on alerts.margin.v1. Redelivered or older risk messages are
 * ignored by comparing their (tick time, positions time) with the last applied; an outbox entry that was
 * not yet delivered is delivered by the next invocation for that portfolio (or by the redelivery of a
 * failed one), and a short lease keeps two concurrent invocations from publishing it twice.
 */
import type { SchemaTypes } from '../contracts/schema-types';
import { contentId } from '../domain/ids';
import {
  DEFAULT_HYSTERESIS,
  nextHealthState,
  severityOf,
  type HysteresisPolicy,
} from '../domain/margin/health-state-machine';
import type { HealthState } from '../domain/risk/margin';
import type { Clock } from '../ports/clock';
import type { DocumentStore } from '../ports/document-store';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';
import type { Warehouse } from '../ports/warehouse';
import { RetryableError } from '../platform/errors';

type PortfolioRisk = SchemaTypes['messages/risk.portfolio-risk.v1'];
type MarginAlert = SchemaTypes['messages/alerts.margin.v1'];

export interface MarginDeps {
  store: DocumentStore;
  bus: EventBus;
  warehouse: Warehouse;
  clock: Clock;
  logger: Logger;
  policy?: HysteresisPolicy;
  /** Identifies this delivery; a redelivery of the same message may take over its own lease. */
  deliveryId?: string;
  leaseMs?: number;
}

interface MarginStateDoc {
  [key: string]: unknown;
  portfolioId: string;
  state: HealthState;
  asOf: string;
  positionsUpdatedAt: string;
  tickId: string;
  healthScore: number | null;
}

interface OutboxDoc {
  [key: string]: unknown;
  alert: MarginAlert;
  portfolioId: string;
  delivered: boolean;
  detectedAt: string;
  leaseOwner?: string;
  leaseUntil?: number;
}

export const MARGIN_COLLECTIONS = { states: 'marginStates', outbox: 'marginEventOutbox' } as const;

/** Orders risk observations: tick time first, then the positions they were computed from. */
function orderKey(asOf: string, positionsUpdatedAt: string | undefined): [number, number] {
  return [Date.parse(asOf), positionsUpdatedAt ? Date.parse(positionsUpdatedAt) : 0];
}

function newer(a: [number, number], b: [number, number]): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}

export interface MarginOutcome {
  applied: boolean;
  transition?: { from: HealthState; to: HealthState; eventId: string };
  delivered: string[];
}

export async function detectMarginEvents(deps: MarginDeps, risk: PortfolioRisk): Promise<MarginOutcome> {
  const policy = deps.policy ?? DEFAULT_HYSTERESIS;
  const detectedAt = deps.clock.now().toISOString();
  const result = await deps.store.runTransaction(async (tx) => {
    const current = await tx.get<MarginStateDoc>(MARGIN_COLLECTIONS.states, risk.portfolioId);
    const incoming = orderKey(risk.asOf, risk.positionsUpdatedAt);
    if (current && !newer(incoming, orderKey(current.asOf, current.positionsUpdatedAt))) {
      return { applied: false as const };
    }
    const from: HealthState = current?.state ?? 'HEALTHY';
    const to = nextHealthState(from, risk.healthScore, policy);
    const state: MarginStateDoc = {
      portfolioId: risk.portfolioId,
      state: to,
      asOf: risk.asOf,
      positionsUpdatedAt: risk.positionsUpdatedAt ?? '',
      tickId: risk.tickId,
      healthScore: risk.healthScore,
    };
    tx.set(MARGIN_COLLECTIONS.states, risk.portfolioId, state);
    if (from === to) return { applied: true as const };
    const eventId = contentId('me', risk.portfolioId, from, to, risk.tickId, risk.positionsUpdatedAt ?? '');
    const alert: MarginAlert = {
      eventId,
      portfolioId: risk.portfolioId,
      fromState: from,
      toState: to,
      healthScore: risk.healthScore,
      tickId: risk.tickId,
      asOf: risk.asOf,
      collateralUsd: risk.collateralUsd,
      borrowUsd: risk.borrowUsd,
      severity: severityOf(to),
    };
    tx.set(MARGIN_COLLECTIONS.outbox, eventId, {
      alert,
      portfolioId: risk.portfolioId,
      delivered: false,
      detectedAt,
    } satisfies OutboxDoc);
    return { applied: true as const, transition: { from, to, eventId } };
  });
  if (!result.applied) {
    deps.logger.info('risk observation not newer than the applied one; ignored', {
      portfolioId: risk.portfolioId,
      tickId: risk.tickId,
    });
  }
  const delivered = await deliverPending(deps, risk.portfolioId);
  return { ...result, delivered };
}

/** Delivers every undelivered margin event of a portfolio: warehouse row, then the alert, then marks it. */
export async function deliverPending(deps: MarginDeps, portfolioId: string): Promise<string[]> {
  const pending = await deps.store.query<OutboxDoc>(MARGIN_COLLECTIONS.outbox, [
    { field: 'portfolioId', op: '==', value: portfolioId },
    { field: 'delivered', op: '==', value: false },
  ]);
  pending.sort((a, b) => a.data.alert.asOf.localeCompare(b.data.alert.asOf));
  const owner = deps.deliveryId ?? `${process.pid}:${Math.random()}`;
  const leaseMs = deps.leaseMs ?? 30_000;
  const delivered: string[] = [];
  for (const { id } of pending) {
    const claim = await deps.store.runTransaction(async (tx) => {
      const doc = await tx.get<OutboxDoc>(MARGIN_COLLECTIONS.outbox, id);
      if (!doc || doc.delivered) return 'done' as const;
      const now = deps.clock.now().getTime();
      if (doc.leaseOwner && doc.leaseOwner !== owner && (doc.leaseUntil ?? 0) > now) return 'busy' as const;
      tx.set(MARGIN_COLLECTIONS.outbox, id, { ...doc, leaseOwner: owner, leaseUntil: now + leaseMs });
      return doc;
    });
    if (claim === 'done') continue;
    if (claim === 'busy')
      throw new RetryableError(`margin event ${id} is being delivered by another invocation`);
    const a = claim.alert;
    await deps.warehouse.insert('risk.margin_events', [
      {
        event_id: a.eventId,
        portfolio_id: a.portfolioId,
        from_state: a.fromState,
        to_state: a.toState,
        health_score: a.healthScore,
        tick_id: a.tickId,
        as_of: a.asOf,
        collateral_usd: a.collateralUsd,
        borrow_usd: a.borrowUsd,
        detected_at: claim.detectedAt,
      },
    ]);
    await deps.bus.publish('alerts.margin.v1', a, {
      attributes: { eventId: a.eventId, portfolioId: a.portfolioId },
    });
    await deps.store.set(MARGIN_COLLECTIONS.outbox, id, { ...claim, delivered: true, leaseOwner: owner });
    deps.logger.info('margin event delivered', {
      eventId: a.eventId,
      portfolioId,
      from: a.fromState,
      to: a.toState,
    });
    delivered.push(a.eventId);
  }
  return delivered;
}
