/**
 * Shared by the margin-event tests: a realistic sequence of risk.portfolio-risk.v1 messages produced by the
 * real producer (evaluateBatch) from real daily closes around the FTX collapse (November 2022), a model of
 * which observations a consumer applies (newest wins by (asOf, positionsUpdatedAt)) and the transitions they
 * imply, and a harness of real adapters: Firestore on the emulator, DuckDB as the warehouse, a memory bus.
 */
import type { TableRows } from '../../../shared/contracts/schema-types';
import { rowsOf } from '../../../shared/platform/warehouse-rows';
import type { DocumentStore } from '../../../shared/ports/document-store';
import { MARGIN_COLLECTIONS } from '../../../shared/use-cases/detect-margin-events';
import { seededRandom } from '../../../local-stack/seeded-random';
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import type { TableName } from '../../../shared/contracts/warehouse-tables';
import type { SchemaTypes } from '../../../shared/contracts/schema-types';
import { validate } from '../../../shared/contracts/validation';
import {
  DEFAULT_HYSTERESIS,
  nextHealthState,
  type HysteresisPolicy,
} from '../../../shared/domain/margin/health-state-machine';
import { tickIdOf } from '../../../shared/domain/prices/ticks';
import type { HealthState } from '../../../shared/domain/risk/margin';
import { ManualClock } from '../../../shared/platform/clocks';
import { CapturingSink } from '../../support/capturing-sink';
import { StructuredLogger } from '../../../shared/platform/logger';
import type { Warehouse, WarehouseRow } from '../../../shared/ports/warehouse';
import { DEFAULT_RISK_COMPUTE_CONFIG } from '../../../shared/domain/risk/config';
import {
  evaluateBatch,
  type PortfolioDoc,
  type RiskDeps,
} from '../../../shared/use-cases/compute-portfolio-risk';
import {
  detectMarginEvents,
  type MarginDeps,
  type MarginOutcome,
} from '../../../shared/use-cases/detect-margin-events';
import { emulatorHosts, historicalPrices, isolatedProjectId, seedDailyCloses } from '../../support/env';

export type PortfolioRisk = SchemaTypes['shared/portfolio-risk'];
export type PortfolioRiskBatch = SchemaTypes['messages/risk.portfolio-risk.v1'];
export type MarginAlert = SchemaTypes['messages/alerts.margin.v1'];

const HOUR = 3_600_000;

/** Seeded, so every permutation here is reproducible from its seed. */
export const prng = seededRandom;

export function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const noWarehouse: Warehouse = {
  insert: async () => undefined,
  query: async () => [],
  close: async () => undefined,
};

/**
 * Two desks through 5–23 November 2022, valued every `everyHours` at interpolated real closes:
 * - desk-btc-001: 1 BTC against 12,700 USDC. HEALTHY → WARNING on 11-08, MARGIN_CALL on FTX day, then
 *   hovers around 30 for two weeks (recovering to WARNING and falling back more than once).
 * - desk-eth-002: 10 ETH against 9,800 USDC. Falls through WARNING and MARGIN_CALL to LIQUIDATION on 11-09;
 *   on 11-10 12:05 the desk posts 3 ETH more collateral and is revalued at the same tick (same asOf, newer
 *   positionsUpdatedAt); ETH keeps falling into WARNING again, and on 11-21 12:05 the loan is repaid: no
 *   borrow (score null), HEALTHY at once.
 * Messages come out in the order the producer emitted them, each valid against its schema.
 */
export async function buildRiskSequence(everyHours = 6): Promise<PortfolioRisk[]> {
  const prices = historicalPrices();
  const store = new MemoryDocumentStore();
  const bus = new MemoryEventBus();
  await seedDailyCloses(store, '2022-11-24', 400, ['BTC', 'ETH', 'USDC']);
  const deps: RiskDeps = {
    store,
    bus,
    warehouse: noWarehouse,
    logger: new StructuredLogger({ sink: () => undefined }),
    config: DEFAULT_RISK_COMPUTE_CONFIG,
  };
  const btc: PortfolioDoc = {
    portfolioId: 'desk-btc-001',
    bucket: 0,
    updatedAt: '2022-11-01T09:00:00.000Z',
    positions: [
      { asset: 'BTC', amount: 1, side: 'collateral' },
      { asset: 'USDC', amount: 12_700, side: 'borrow' },
    ],
  };
  let eth: PortfolioDoc = {
    portfolioId: 'desk-eth-002',
    bucket: 0,
    updatedAt: '2022-11-01T09:00:00.000Z',
    positions: [
      { asset: 'ETH', amount: 10, side: 'collateral' },
      { asset: 'USDC', amount: 9_800, side: 'borrow' },
    ],
  };
  const tickAt = (at: Date) => ({
    tickId: tickIdOf(at),
    asOf: at.toISOString(),
    prices: Object.fromEntries(['BTC', 'ETH', 'USDC'].map((a) => [a, prices(a, at)])),
  });
  const positionChanges: { at: string; doc: PortfolioDoc }[] = [
    {
      at: '2022-11-10T12:05:00.000Z',
      doc: {
        ...eth,
        updatedAt: '2022-11-10T12:05:00.000Z',
        positions: [
          { asset: 'ETH', amount: 13, side: 'collateral' },
          { asset: 'USDC', amount: 9_800, side: 'borrow' },
        ],
      },
    },
    {
      at: '2022-11-21T12:05:00.000Z',
      doc: {
        ...eth,
        updatedAt: '2022-11-21T12:05:00.000Z',
        positions: [{ asset: 'ETH', amount: 13, side: 'collateral' }],
      },
    },
  ];
  for (
    let t = Date.parse('2022-11-05T00:00:00Z');
    t < Date.parse('2022-11-24T00:00:00Z');
    t += everyHours * HOUR
  ) {
    const tick = tickAt(new Date(t));
    await evaluateBatch(deps, [btc, eth], tick);
    // A position change between this tick and the next is revalued at once at this tick's prices.
    for (const change of positionChanges) {
      const at = Date.parse(change.at);
      if (at > t && at < t + everyHours * HOUR) {
        eth = change.doc;
        await evaluateBatch(deps, [eth], tick);
      }
    }
  }
  const batches = bus.on<PortfolioRiskBatch>('risk.portfolio-risk.v1');
  for (const b of batches) validate('messages/risk.portfolio-risk.v1', b);
  // One observation per portfolio, as detectMarginEvents sees them inside each batch.
  return batches.flatMap((b) => b.portfolios);
}

/** A risk observation's place in time: tick first, then the positions it was computed from. */
function orderOf(m: PortfolioRisk): [number, number] {
  return [Date.parse(m.asOf), m.positionsUpdatedAt ? Date.parse(m.positionsUpdatedAt) : 0];
}

function isNewer(a: [number, number], b: [number, number]): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}

export interface ExpectedTransition {
  portfolioId: string;
  from: HealthState;
  to: HealthState;
  tickId: string;
  asOf: string;
  positionsUpdatedAt: string | undefined;
  healthScore: number | null;
}

export const transitionKey = (t: {
  portfolioId: string;
  from: string;
  to: string;
  tickId: string;
  asOf: string;
}): string => `${t.portfolioId} ${t.from}→${t.to} ${t.tickId} ${t.asOf}`;

/**
 * The model of the consumer: in delivery order, an observation is applied only if it is strictly newer than
 * the last applied one of its portfolio (so redeliveries and late older observations are ignored), and each
 * applied observation moves the portfolio through the hysteresis state machine from HEALTHY.
 */
export function modelTransitions(
  deliveries: readonly PortfolioRisk[],
  policy: HysteresisPolicy = DEFAULT_HYSTERESIS,
): { applied: PortfolioRisk[]; transitions: ExpectedTransition[]; finalStates: Map<string, HealthState> } {
  const last = new Map<string, [number, number]>();
  const states = new Map<string, HealthState>();
  const applied: PortfolioRisk[] = [];
  const transitions: ExpectedTransition[] = [];
  for (const m of deliveries) {
    const prev = last.get(m.portfolioId);
    if (prev && !isNewer(orderOf(m), prev)) continue;
    last.set(m.portfolioId, orderOf(m));
    applied.push(m);
    const from = states.get(m.portfolioId) ?? 'HEALTHY';
    const to = nextHealthState(from, m.healthScore, policy);
    states.set(m.portfolioId, to);
    if (from !== to) {
      transitions.push({
        portfolioId: m.portfolioId,
        from,
        to,
        tickId: m.tickId,
        asOf: m.asOf,
        positionsUpdatedAt: m.positionsUpdatedAt,
        healthScore: m.healthScore,
      });
    }
  }
  return { applied, transitions, finalStates: states };
}

/** DuckDB behind a recorder: counts insert attempts per margin event id, and can fail the next inserts. */
export class RecordingWarehouse implements Warehouse {
  readonly insertAttempts = new Map<string, number>();
  failNextInserts = 0;
  /** Runs before each margin-event insert: a test can hold a delivery in flight with it. */
  beforeInsert?: () => Promise<void>;

  constructor(readonly inner: Warehouse) {}

  async insert<T extends TableName>(table: T, typedRows: TableRows[T][]): Promise<void> {
    const rows = rowsOf(typedRows);
    if (table === 'risk.margin_events') {
      for (const r of rows) {
        const id = String(r.event_id);
        this.insertAttempts.set(id, (this.insertAttempts.get(id) ?? 0) + 1);
      }
      await this.beforeInsert?.();
    }
    if (this.failNextInserts > 0) {
      this.failNextInserts--;
      throw new Error('warehouse unavailable (injected)');
    }
    return this.inner.insert(table, typedRows);
  }

  query<T extends WarehouseRow = WarehouseRow>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    return this.inner.query<T>(sql, params);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface MarginEventRow extends WarehouseRow {
  event_id: string;
  portfolio_id: string;
  from_state: string;
  to_state: string;
  health_score: number | null;
  tick_id: string;
  as_of: string;
  detected_at: string;
}

/** Real adapters for detectMarginEvents: Firestore on the emulator (own project), DuckDB, a memory bus. */
export class MarginHarness {
  readonly sink = new CapturingSink();
  readonly logger = new StructuredLogger({ sink: this.sink.sink });
  readonly bus = new MemoryEventBus();
  readonly clock = new ManualClock('2022-11-24T00:01:00Z');

  private constructor(
    readonly projectId: string,
    readonly store: FirestoreDocumentStore,
    readonly warehouse: RecordingWarehouse,
  ) {}

  static async open(label: string): Promise<MarginHarness> {
    const projectId = isolatedProjectId(label);
    const store = new FirestoreDocumentStore({ projectId, emulatorHost: emulatorHosts().firestoreHost });
    const warehouse = new RecordingWarehouse(await DuckDbWarehouse.open());
    return new MarginHarness(projectId, store, warehouse);
  }

  deps(deliveryId: string, overrides: Partial<MarginDeps> = {}): MarginDeps {
    return {
      store: this.store,
      bus: this.bus,
      warehouse: this.warehouse,
      clock: this.clock,
      logger: this.logger,
      deliveryId,
      ...overrides,
    };
  }

  /** One push delivery of a message, as the function's route runs it. */
  deliver(
    message: PortfolioRisk,
    deliveryId: string,
    overrides?: Partial<MarginDeps>,
  ): Promise<MarginOutcome> {
    return detectMarginEvents(this.deps(deliveryId, overrides), message);
  }

  /**
   * What Pub/Sub does with a message: deliver it, and redeliver it under the same message id while the
   * delivery fails (nothing here waits on wall-clock time for correctness; the pause only yields to others).
   */
  async deliverUntilAcked(
    message: PortfolioRisk,
    deliveryId: string,
    onFailure?: (err: unknown) => void,
    maxAttempts = 100,
  ): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deliver(message, deliveryId);
        return attempt - 1;
      } catch (err) {
        onFailure?.(err);
        if (attempt >= maxAttempts) throw err;
        await new Promise((r) => setTimeout(r, 5 + Math.floor(Math.random() * 20)));
      }
    }
  }

  alerts(): MarginAlert[] {
    return this.bus.on<MarginAlert>('alerts.margin.v1');
  }

  rows(): Promise<MarginEventRow[]> {
    return this.warehouse.query<MarginEventRow>('SELECT * FROM risk.margin_events ORDER BY as_of, event_id');
  }

  async close(): Promise<void> {
    await this.store.close();
    await this.warehouse.close();
  }
}

/** Every alert id and row id, counted: a duplicate shows as a count above one. */
export function duplicates(ids: string[]): string[] {
  const seen = new Map<string, number>();
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
}

export const alertKey = (a: MarginAlert): string =>
  transitionKey({
    portfolioId: a.portfolioId,
    from: a.fromState,
    to: a.toState,
    tickId: a.tickId,
    asOf: a.asOf,
  });

export const rowKey = (r: MarginEventRow): string =>
  transitionKey({
    portfolioId: r.portfolio_id,
    from: r.from_state,
    to: r.to_state,
    tickId: r.tick_id,
    asOf: new Date(r.as_of).toISOString(),
  });

/**
 * What an instance killed mid-delivery leaves behind: its lease on the portfolio's undelivered outbox entries.
 * (A delivery that merely fails gives its lease back; a dead one cannot, so the lease must expire.)
 */
export async function strandLease(
  store: DocumentStore,
  portfolioId: string,
  owner: string,
  leaseUntil: number,
): Promise<number> {
  const pending = await store.query<Record<string, unknown>>(MARGIN_COLLECTIONS.outbox, [
    { field: 'portfolioId', op: '==', value: portfolioId },
    { field: 'delivered', op: '==', value: false },
  ]);
  for (const p of pending)
    await store.set(MARGIN_COLLECTIONS.outbox, p.id, { ...p.data, leaseOwner: owner, leaseUntil });
  return pending.length;
}
