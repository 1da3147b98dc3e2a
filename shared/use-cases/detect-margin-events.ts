/**
 * detectMarginEvents: one health-state machine per portfolio. A transition is recorded in the same
 * Firestore transaction that advances the state (an outbox document with a content-derived id), then
 * published on alerts.margin.v1 and written to risk.margin_events. Redelivered or older risk messages are
 * ignored by comparing their (tick time, positions time) with the last applied. The state document lists
 * outbox entries not yet delivered, so an entry whose delivery failed is delivered by the next invocation
 * for that portfolio (the redelivery of the failed message included); a short lease keeps two concurrent
 * invocations from publishing it twice.
 *
 * The same transaction writes the portfolio's latest-state view for the read API (portfolio-views.ts).
 *
 * The alert never waits for the warehouse: during a streaming outage margin calls still go out, the entry
 * remembers it was published, and the invocation fails so the row is written by the redelivery, without a
 * second publish. Both times are ours or bounded at their source: asOf is the price tick's minute and
 * positionsUpdatedAt passed computePortfolioRisk's event-time guard.
 */
import { idempotencyExpiry } from '../domain/retention';
import { randomUUID } from 'node:crypto';
import { claimOutboxEntry, openOutboxEntries, releaseOutboxEntries } from './lease';
import { decidedByPortfolio, decideInChunks } from './batch-decisions';
import { marginPolicyFor, type RiskPolicy } from '../domain/controls/policy';
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
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
import type { DocumentData, DocumentStore } from '../ports/document-store';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';
import type { Warehouse } from '../ports/warehouse';
import type { BoundedMap } from '../platform/bounded-map';
import { forEachSettled } from '../platform/bounded';
import { PORTFOLIO_VIEWS, portfolioViewDoc, portfolioViewOf } from './portfolio-views';
import { MARGIN_ALERT_PUBLISHED_LOG } from '../platform/log-messages';

type PortfolioRisk = SchemaTypes['shared/portfolio-risk'];
type PortfolioRiskBatch = SchemaTypes['messages/risk.portfolio-risk.v1'];
type MarginAlert = SchemaTypes['messages/alerts.margin.v1'];

export interface MarginDeps {
  store: DocumentStore;
  bus: EventBus;
  warehouse: Warehouse;
  clock: Clock;
  logger: Logger;
  /** Fixed thresholds (tests, the CLI); otherwise each portfolio's come from the risk policies in force. */
  policy?: HysteresisPolicy;
  policies?: { current(): Promise<RiskPolicy[] | null> };
  /** The Pub/Sub message id, kept in the lease owner for the logs (each invocation holds its own lease). */
  deliveryId?: string;
  leaseMs?: number;
  /**
   * Outbox entries this instance marked delivered. Delivered is final, so the next transaction skips reading
   * them (one read round trip fewer per batch when every pending entry went out from here).
   */
  delivered?: BoundedMap<string, true>;
}

interface MarginStateDoc {
  [key: string]: unknown;
  portfolioId: string;
  state: HealthState;
  asOf: string;
  positionsUpdatedAt: string;
  tickId: string;
  healthScore: number | null;
  /** Outbox ids not yet known to be delivered; pruned by the next transaction that reads them. */
  pending?: string[];
}

interface OutboxDoc {
  [key: string]: unknown;
  alert: MarginAlert;
  portfolioId: string;
  delivered: boolean;
  /** The alert went out but the row did not (warehouse outage): the next delivery only writes the row. */
  published?: boolean;
  detectedAt: string;
  leaseOwner?: string;
  leaseUntil?: number;
}

export const MARGIN_COLLECTIONS = FIRESTORE_COLLECTIONS.margin;

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

/** What one portfolio's observation decided inside the transaction. */
interface Decision {
  applied: boolean;
  /** Undelivered entries of earlier transitions, read in the same transaction. */
  pending: OutboxDoc[];
  created?: OutboxDoc;
  transition?: MarginOutcome['transition'];
  /** The observation could not be decided (a corrupt state document): nothing was written for it. */
  failure?: { err: unknown };
}

/**
 * One transaction for several portfolios: every state document in one read, every pending outbox entry in a
 * second, then each observation decided in order (a portfolio seen twice sees its first decision) and each
 * document written once. Pure over what it reads, as the store may run it again on contention.
 */
async function decideAll(
  deps: MarginDeps,
  risks: readonly PortfolioRisk[],
  policyOf: (risk: PortfolioRisk) => HysteresisPolicy,
  owner: string,
  leaseMs: number,
): Promise<Decision[]> {
  const now = deps.clock.now();
  return deps.store.runTransaction(async (tx) => {
    const ids = [...new Set(risks.map((r) => r.portfolioId))];
    const read = await tx.getAll(ids.map((id) => ({ collection: MARGIN_COLLECTIONS.states, id })));
    const states = new Map(ids.map((id, i) => [id, read[i] as MarginStateDoc | undefined]));
    // Earlier transitions not yet delivered (a failed publish, a crashed instance) ride along.
    const open = await openOutboxEntries<OutboxDoc>(
      tx,
      MARGIN_COLLECTIONS.outbox,
      ids.map((id) => states.get(id)?.pending),
      deps.delivered,
    );
    const views = new Map<string, DocumentData>();
    const decisions = risks.map((risk): Decision => {
      const current = states.get(risk.portfolioId);
      try {
        const pending = (current?.pending ?? []).flatMap((id) => open.get(id) ?? []);
        const incoming = orderKey(risk.asOf, risk.positionsUpdatedAt);
        if (current && !newer(incoming, orderKey(current.asOf, current.positionsUpdatedAt))) {
          return { applied: false, pending };
        }
        const policy = policyOf(risk);
        const from: HealthState = current?.state ?? 'HEALTHY';
        const to = nextHealthState(from, risk.healthScore, policy);
        let created: OutboxDoc | undefined;
        if (from !== to) {
          const eventId = contentId(
            'me',
            risk.portfolioId,
            from,
            to,
            risk.tickId,
            risk.positionsUpdatedAt ?? '',
          );
          created = {
            alert: {
              eventId,
              portfolioId: risk.portfolioId,
              deskId: risk.deskId,
              fromState: from,
              toState: to,
              healthScore: risk.healthScore,
              tickId: risk.tickId,
              asOf: risk.asOf,
              collateralUsd: risk.collateralUsd,
              borrowUsd: risk.borrowUsd,
              severity: severityOf(to),
            },
            portfolioId: risk.portfolioId,
            delivered: false,
            detectedAt: now.toISOString(),
            // Whoever records the transition delivers it first: no separate claim needed.
            leaseOwner: owner,
            leaseUntil: now.getTime() + leaseMs,
          };
          tx.set(MARGIN_COLLECTIONS.outbox, eventId, created);
          open.set(eventId, created);
        }
        states.set(risk.portfolioId, {
          portfolioId: risk.portfolioId,
          state: to,
          asOf: risk.asOf,
          positionsUpdatedAt: risk.positionsUpdatedAt ?? '',
          tickId: risk.tickId,
          healthScore: risk.healthScore,
          pending: [...pending.map((p) => p.alert.eventId), ...(created ? [created.alert.eventId] : [])],
        });
        // The read API's view, in the same commit: the state it shows is always the one just decided.
        views.set(risk.portfolioId, portfolioViewDoc(portfolioViewOf(risk, to, policy, now)));
        return {
          applied: true,
          pending,
          created,
          transition: created ? { from, to, eventId: created.alert.eventId } : undefined,
        };
      } catch (err) {
        return { applied: false, pending: [], failure: { err } };
      }
    });
    // Each changed document once, as last decided.
    for (const [id, view] of views) {
      tx.set(MARGIN_COLLECTIONS.states, id, states.get(id) as MarginStateDoc);
      tx.set(PORTFOLIO_VIEWS, id, view);
    }
    return decisions;
  });
}

/** The hysteresis thresholds for a portfolio: fixed ones, the policies in force, or the default. */
function policyFor(deps: MarginDeps, inForce: RiskPolicy[] | null, now: Date) {
  return (risk: PortfolioRisk): HysteresisPolicy =>
    deps.policy ??
    (inForce
      ? marginPolicyFor(inForce, { portfolioId: risk.portfolioId, deskId: risk.deskId }, now)
      : DEFAULT_HYSTERESIS);
}

/**
 * Several observations: decided in one transaction per chunk, then each portfolio's alerts delivered, in
 * detection order, independently of the others. Outcomes in the observations' order; failures per item.
 */
async function detectAll(
  deps: MarginDeps,
  risks: readonly PortfolioRisk[],
  inForce: RiskPolicy[] | null,
): Promise<{ outcome?: MarginOutcome; failure?: { err: unknown } }[]> {
  // One owner per invocation, not per message: Pub/Sub can deliver the same message twice at once, and two
  // invocations sharing an owner would both hold the lease and publish twice. The delivery id stays in the owner
  // for the logs; a redelivery after a failure takes over at once, since a failed delivery releases its lease.
  const owner = `${deps.deliveryId ?? 'local'}#${randomUUID()}`;
  const leaseMs = deps.leaseMs ?? 30_000;
  const policyOf = policyFor(deps, inForce, deps.clock.now());
  const decisions = await decideInChunks(risks, TRANSACTION_PORTFOLIOS, (chunk) =>
    decideAll(deps, chunk, policyOf, owner, leaseMs),
  );
  const out: { outcome?: MarginOutcome; failure?: { err: unknown } }[] = new Array(risks.length);
  // A portfolio seen twice delivers once, after its last decision made: its entries are the same documents.
  const decided = decidedByPortfolio(risks, (i) => !decisions[i].failure);
  /** Per delivering observation, the entries it published (or found published), in order. */
  const sent = new Map<number, OutboxDoc[]>();
  await forEachSettled(
    risks.map((_, i) => i),
    BATCH_CONCURRENCY,
    async (i) => {
      const risk = risks[i];
      const d = decisions[i];
      if (d.failure) return void (out[i] = { failure: d.failure });
      if (!d.applied) {
        deps.logger.info('risk observation not newer than the applied one; ignored', {
          portfolioId: risk.portfolioId,
          tickId: risk.tickId,
        });
      }
      const mine = decided.get(risk.portfolioId) ?? [];
      if (mine.at(-1) !== i) {
        return void (out[i] = { outcome: { applied: d.applied, transition: d.transition, delivered: [] } });
      }
      const published: OutboxDoc[] = [];
      sent.set(i, published);
      try {
        // Its earlier decisions' entries first, then this one's.
        const created = mine.map((j) => decisions[j].created).filter((c): c is OutboxDoc => c !== undefined);
        await publishAll(deps, owner, leaseMs, d.pending, created, published);
        out[i] = { outcome: { applied: d.applied, transition: d.transition, delivered: [] } };
      } catch (err) {
        out[i] = { failure: { err } };
      }
    },
  );
  const unrecorded = await recordDelivered(deps, owner, [...sent.values()].flat());
  for (const [i, published] of sent) {
    const outcome = out[i].outcome;
    if (!outcome || published.length === 0) continue;
    if (unrecorded) out[i] = { failure: unrecorded };
    else outcome.delivered = published.map((doc) => doc.alert.eventId);
  }
  return out;
}

/**
 * A portfolio's undelivered entries published in order into `published`: earlier ones first (claimed, as another
 * invocation may hold them), then those this invocation recorded and holds. An entry already published (its row
 * was missing) is not published again. A failed publish throws at once: later alerts must not overtake it.
 */
async function publishAll(
  deps: MarginDeps,
  owner: string,
  leaseMs: number,
  pending: OutboxDoc[],
  created: OutboxDoc[],
  published: OutboxDoc[],
): Promise<void> {
  const mine = new Set(created.map((c) => c.alert.eventId));
  const older = pending
    .filter((p) => !mine.has(p.alert.eventId))
    .sort((a, b) => a.alert.asOf.localeCompare(b.alert.asOf));
  for (const doc of older) {
    const claimed = await claimOutboxEntry<OutboxDoc>(deps.store, {
      collection: MARGIN_COLLECTIONS.outbox,
      id: doc.alert.eventId,
      owner,
      nowMs: deps.clock.now().getTime(),
      leaseMs,
      what: 'margin event',
    });
    if (claimed) await publishOrRelease(deps, claimed, owner, published);
  }
  for (const doc of created) await publishOrRelease(deps, doc, owner, published);
}

/** The alert out, or on failure the lease given back at once so the next invocation need not wait for it. */
async function publishOrRelease(
  deps: MarginDeps,
  doc: OutboxDoc,
  owner: string,
  published: OutboxDoc[],
): Promise<void> {
  const a = doc.alert;
  if (!doc.published) {
    try {
      await deps.bus.publish('alerts.margin.v1', a, {
        attributes: { eventId: a.eventId, portfolioId: a.portfolioId },
      });
    } catch (err) {
      await release(deps, owner, [doc], false);
      throw err;
    }
    // Read by Cloud Monitoring (the price-to-alert SLO): see platform/log-messages.ts. Once per published alert:
    // a redelivery that finds it published neither publishes nor logs it again.
    deps.logger.info(MARGIN_ALERT_PUBLISHED_LOG, {
      eventId: a.eventId,
      tickId: a.tickId,
      toState: a.toState,
      priceToAlertMs: deps.clock.now().getTime() - Date.parse(a.asOf),
    });
  }
  published.push(doc);
}

/**
 * After every alert of the invocation is out (a warehouse outage must not hold back a margin call): their rows in
 * one insert (idempotent on the event id), then every entry marked delivered, in one turn so the store sends the
 * marks together. If either fails, the entries are released and remembered as published, and the error is
 * returned: the redelivery writes the rows without publishing again.
 */
async function recordDelivered(
  deps: MarginDeps,
  owner: string,
  published: OutboxDoc[],
): Promise<{ err: unknown } | undefined> {
  if (published.length === 0) return undefined;
  try {
    await deps.warehouse.insert(
      'risk.margin_events',
      published.map(({ alert: a, detectedAt }) => ({
        event_id: a.eventId,
        portfolio_id: a.portfolioId,
        from_state: a.fromState,
        to_state: a.toState,
        health_score: a.healthScore,
        tick_id: a.tickId,
        as_of: a.asOf,
        collateral_usd: a.collateralUsd,
        borrow_usd: a.borrowUsd,
        detected_at: detectedAt,
      })),
    );
    // A delivered entry is kept as long as any redelivery could still ask for it, then deleted by TTL.
    const expireAt = idempotencyExpiry(deps.clock.now());
    await Promise.all(
      published.map((doc) =>
        deps.store.set(MARGIN_COLLECTIONS.outbox, doc.alert.eventId, {
          ...doc,
          delivered: true,
          published: true,
          leaseOwner: owner,
          expireAt,
        }),
      ),
    );
  } catch (err) {
    await release(deps, owner, published, true);
    for (const { alert: a } of published)
      deps.logger.warn('margin event published; its row is written by the redelivery', {
        eventId: a.eventId,
        portfolioId: a.portfolioId,
      });
    return { err };
  }
  for (const { alert: a } of published) {
    deps.delivered?.set(a.eventId, true);
    deps.logger.info('margin event delivered', {
      eventId: a.eventId,
      portfolioId: a.portfolioId,
      from: a.fromState,
      to: a.toState,
    });
  }
  return undefined;
}

/** Gives back this owner's leases on entries not delivered, remembering a publish. */
function release(deps: MarginDeps, owner: string, docs: OutboxDoc[], published: boolean): Promise<void> {
  return releaseOutboxEntries<OutboxDoc>(
    deps.store,
    MARGIN_COLLECTIONS.outbox,
    docs.map((d) => d.alert.eventId),
    owner,
    published ? { published: true } : {},
  );
}

/** One observation (the CLI, tests): the batch path with one portfolio. */
export async function detectMarginEvents(
  deps: MarginDeps,
  risk: PortfolioRisk,
  inForce: RiskPolicy[] | null = null,
): Promise<MarginOutcome> {
  const [r] = await detectAll(deps, [risk], inForce);
  if (r.failure) throw r.failure.err;
  return r.outcome as MarginOutcome;
}

/**
 * Portfolios of one batch delivered at a time: independent documents, so they need not wait on each other. At 16 a
 * 100-portfolio batch that all changed state took 656 ms (10,000 portfolios per tick: 53.8 s); at 64, 500 ms (37.4 s).
 */
const BATCH_CONCURRENCY = 64;
/**
 * Portfolios decided per transaction: up to three writes each (state, view, a new outbox entry), inside
 * Firestore's 500 writes per commit.
 */
export const TRANSACTION_PORTFOLIOS = 100;

/**
 * A risk.portfolio-risk.v1 batch: every portfolio goes through its own state machine, all decided in one
 * transaction (per 100), so a batch costs a few round trips rather than a few per portfolio. A failure of one
 * portfolio's delivery does not stop the others; the first failure is rethrown afterwards so the batch is
 * redelivered, and the portfolios already applied then see a stale observation and only finish pending
 * deliveries.
 */
export async function detectMarginEventsBatch(
  deps: MarginDeps,
  batch: PortfolioRiskBatch,
): Promise<MarginOutcome[]> {
  const inForce = deps.policy ? null : ((await deps.policies?.current()) ?? null);
  const results = await detectAll(deps, batch.portfolios, inForce);
  const failed = results.find((r) => r.failure);
  if (failed?.failure) throw failed.failure.err;
  return results.map((r) => r.outcome as MarginOutcome);
}
