/**
 * evaluateAml through its deployed wiring on memory adapters (DuckDB as the warehouse):
 * - a transaction dated in the future is refused before it touches the user's window: dead-lettered with its
 *   reason and the original bytes (for replay), the operators alerted; the real transactions after it are
 *   still evaluated against each other, so the window rules keep firing;
 * - the allowed skew (EVENT_TIME_MAX_SKEW_SECONDS) is honoured at its boundary, and an unreadable time is refused;
 * - alerts do not wait for the warehouse: during an outage they are published at once, the message is retried
 *   until the rows are written, exactly once, and the retries publish no alert again.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import type { SchemaTypes } from '../../../shared/contracts/schema-types';
import type { AmlAlert } from '../../../shared/domain/aml/alerts';
import { entryOf, type AmlTransaction, type WindowEntry } from '../../../shared/domain/aml/window';
import { ManualClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import type { MessagePublishedData } from '../../../shared/platform/triggers/pubsub-handler';
import { AML_COLLECTIONS, type EvaluationDoc } from '../../../shared/use-cases/evaluate-aml';
import { evaluateAml as evaluateAmlFunction } from '../../../functions/evaluate-aml/wiring';
import { localPlatform } from '../../../local-stack/platform';
import { at, HOUR, T0, tx } from '../../support/aml-fixtures';
import { CapturingSink } from '../../support/capturing-sink';
import { FailingWarehouse } from '../../support/failing-warehouse';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';

type OperationsAlert = SchemaTypes['messages/alerts.operations.v1'];

const NOW = '2025-11-10T12:00:05.000Z';
const FAR_FUTURE = '2099-01-01T00:00:00.000Z';

let pushSeq = 0;
const warehouses: DuckDbWarehouse[] = [];

afterAll(async () => {
  for (const w of warehouses) await w.close();
});

async function setup(env: Record<string, string> = {}) {
  const store = new MemoryDocumentStore();
  const bus = new MemoryEventBus();
  const clock = new ManualClock(NOW);
  const duck = await DuckDbWarehouse.open();
  warehouses.push(duck);
  const warehouse = new FailingWarehouse(duck);
  const sink = new CapturingSink();
  const platform = localPlatform({
    env: { ENVIRONMENT: 'local', ...env },
    bus,
    store,
    warehouse,
    clock,
    logger: new StructuredLogger({ sink: sink.sink }),
    secrets: { get: async (name) => Promise.reject(new Error(`no secret ${name}`)) },
  });
  const handler = evaluateAmlFunction.serve(async () => platform);
  /** A Pub/Sub push of `payload` on compliance.transactions.v1, with the producer's attributes. */
  const push = (payload: unknown): CloudEvent<MessagePublishedData> => {
    const messageId = String(8_000_000 + ++pushSeq);
    return {
      specversion: '1.0',
      id: messageId,
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: '//pubsub.googleapis.com/projects/aml-unit/topics/compliance.transactions.v1',
      data: {
        message: {
          data: Buffer.from(JSON.stringify(payload)).toString('base64'),
          messageId,
          attributes: { producer: 'lending-platform' },
          publishTime: NOW,
        },
        subscription: 'projects/aml-unit/subscriptions/evaluate-aml.transactions',
      },
    } as CloudEvent<MessagePublishedData>;
  };
  const deliver = (payload: unknown) => handler(push(payload));
  const alerts = () => bus.on<AmlAlert>('alerts.aml.v1');
  const deadLetters = () => bus.messages.filter((m) => m.topic === 'dead-letter.v1');
  const windowOf = async (userId: string) =>
    (await store.get<{ entries: WindowEntry[] }>(AML_COLLECTIONS.windows, userId))?.entries;
  return { store, bus, clock, warehouse, duck, handler, push, deliver, alerts, deadLetters, windowOf, sink };
}

/** Three USDC deposits just under 10,000 within six hours, the last at T0: structuring and 24 h volume. */
function structuringRun(userId: string): AmlTransaction[] {
  return [9400, 9750, 9900].map((usd, i) =>
    tx({
      transactionId: `${userId}-real-${i}`,
      userId,
      amount: usd.toFixed(2),
      currency: 'USDC',
      amountUsd: usd,
      occurredAt: at((i - 2) * 3 * HOUR),
    }),
  );
}

describe('evaluateAml: event times from outside are bounded', () => {
  it('dead-letters a far-future transaction with its reason and alerts the operators; the real ones after it still fire', async () => {
    const s = await setup();
    const future = tx({ transactionId: 'tx-from-2099', userId: 'user-skewed', occurredAt: FAR_FUTURE });
    const ce = s.push(future);
    await s.handler(ce);

    // Dead-lettered with the reason, the original bytes and attributes: replayable once the clock is fixed.
    const dead = s.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0].attributes).toMatchObject({
      producer: 'lending-platform',
      'fusion-reason': 'event-time-in-future',
      'fusion-rejected-by': 'evaluateAml',
      'fusion-source-topic': 'compliance.transactions.v1',
      'fusion-source-message-id': ce.data?.message?.messageId,
    });
    expect(dead[0].attributes['fusion-detail']).toMatch(/occurredAt 2099-01-01T00:00:00.000Z is \d+ s ahead/);
    expect(Buffer.from(dead[0].data as string, 'base64').toString()).toBe(JSON.stringify(future));

    // The operators are told, with ids only.
    const ops = s.bus.on<OperationsAlert>('alerts.operations.v1');
    expect(ops).toEqual([
      {
        alertId: expect.stringMatching(/^ops_[0-9a-f]{32}$/),
        kind: 'EVENT_TIME_IN_FUTURE',
        severity: 'WARNING',
        sourceTopic: 'compliance.transactions.v1',
        subjectKind: 'user',
        subjectId: 'user-skewed',
        eventId: 'tx-from-2099',
        eventTimeField: 'occurredAt',
        eventTime: FAR_FUTURE,
        receivedAt: NOW,
        skewSeconds: (Date.parse(FAR_FUTURE) - Date.parse(NOW)) / 1000,
        maxSkewSeconds: 300,
        messageId: ce.data?.message?.messageId,
      },
    ]);
    expect(JSON.stringify(ops)).not.toContain('Jane Q Public');

    // Nothing was counted: no window entry, no evaluation record.
    expect(await s.windowOf('user-skewed')).toBeUndefined();
    expect(await s.store.get(AML_COLLECTIONS.evaluations, 'tx-from-2099')).toBeUndefined();

    // The real transactions are evaluated against each other, not pruned against 2099.
    for (const t of structuringRun('user-skewed')) await s.deliver(t);
    expect(s.alerts().map((a) => a.ruleId)).toEqual(['velocity.amount.24h', 'structuring.24h']);
    expect((await s.windowOf('user-skewed'))?.map((e) => e.i)).toEqual(
      structuringRun('user-skewed').map((t) => t.transactionId),
    );

    // A redelivery of the refused message raises the same alert id (the fan-out absorbs it).
    await s.handler(ce);
    expect(new Set(s.bus.on<OperationsAlert>('alerts.operations.v1').map((a) => a.alertId)).size).toBe(1);
  });

  it('accepts a time within the allowed skew and refuses one just beyond it (default and configured)', async () => {
    const s = await setup();
    const ahead = (seconds: number) => new Date(Date.parse(NOW) + seconds * 1000).toISOString();
    await s.deliver(tx({ transactionId: 'tx-skew-300', userId: 'user-skew', occurredAt: ahead(300) }));
    await s.deliver(tx({ transactionId: 'tx-skew-301', userId: 'user-skew', occurredAt: ahead(301) }));
    expect((await s.windowOf('user-skew'))?.map((e) => e.i)).toEqual(['tx-skew-300']);
    expect(s.deadLetters().map((d) => d.attributes['fusion-reason'])).toEqual(['event-time-in-future']);

    const tight = await setup({ EVENT_TIME_MAX_SKEW_SECONDS: '60' });
    await tight.deliver(tx({ transactionId: 'tx-tight-60', userId: 'user-tight', occurredAt: ahead(60) }));
    await tight.deliver(tx({ transactionId: 'tx-tight-61', userId: 'user-tight', occurredAt: ahead(61) }));
    expect((await tight.windowOf('user-tight'))?.map((e) => e.i)).toEqual(['tx-tight-60']);
    expect(tight.bus.on<OperationsAlert>('alerts.operations.v1')).toEqual([
      expect.objectContaining({ eventId: 'tx-tight-61', skewSeconds: 61, maxSkewSeconds: 60 }),
    ]);
  });

  it('refuses a malformed time (schema) and one the schema admits but no clock can place (a leap second)', async () => {
    const s = await setup();
    await s.deliver(
      tx({ transactionId: 'tx-no-offset', userId: 'user-bad', occurredAt: '2025-11-10T11:00:00' }),
    );
    await s.deliver(tx({ transactionId: 'tx-leap', userId: 'user-bad', occurredAt: '2025-06-30T23:59:60Z' }));
    expect(s.deadLetters().map((d) => d.attributes['fusion-reason'])).toEqual([
      'schema-violation',
      'event-time-invalid',
    ]);
    expect(await s.windowOf('user-bad')).toBeUndefined();
    // An unreadable time is the producer's bug, not a clock: no operations alert.
    expect(s.bus.on('alerts.operations.v1')).toEqual([]);
  });

  it('drops a future entry stored before the bound existed, so it prunes nothing', async () => {
    const s = await setup();
    const legacy = entryOf(
      tx({ transactionId: 'tx-legacy-2099', userId: 'user-legacy', occurredAt: FAR_FUTURE }),
    );
    await s.store.set(AML_COLLECTIONS.windows, 'user-legacy', {
      userId: 'user-legacy',
      entries: [legacy],
      updatedAt: T0,
    });
    for (const t of structuringRun('user-legacy')) await s.deliver(t);
    expect(s.alerts().map((a) => a.ruleId)).toEqual(['velocity.amount.24h', 'structuring.24h']);
    expect((await s.windowOf('user-legacy'))?.map((e) => e.i)).not.toContain('tx-legacy-2099');
  });
});

describe('evaluateAml: alerts do not wait for the warehouse', () => {
  it('publishes during an outage, retries until the rows are written exactly once, with stable alert ids', async () => {
    const s = await setup();
    const [first, second, third] = structuringRun('user-outage');
    await s.deliver(first);
    await s.deliver(second);
    const outage = 3;
    s.warehouse.failNextInserts = outage;
    const ce = s.push(third);
    // The first delivery fails on the warehouse, but the alerts are out already.
    await expect(s.handler(ce)).rejects.toThrow('warehouse unavailable (injected)');
    const published = s.alerts().map((a) => a.alertId);
    expect(s.alerts().map((a) => a.ruleId)).toEqual(['velocity.amount.24h', 'structuring.24h']);
    const rows = () =>
      s.duck.query<{ alert_id: string }>('SELECT alert_id FROM compliance.aml_alerts ORDER BY alert_id');
    expect(await rows()).toEqual([]);

    // Pub/Sub redelivers the same message while the warehouse is down: no alert again, no row yet.
    for (let i = 1; i < outage; i++) await expect(s.handler(ce)).rejects.toThrow('warehouse unavailable');
    expect(s.alerts().map((a) => a.alertId)).toEqual(published);
    const pending = await s.store.get<EvaluationDoc>(AML_COLLECTIONS.evaluations, third.transactionId);
    expect(pending).toMatchObject({ delivered: false, published: true });

    // The warehouse recovers: the next redelivery writes the rows, once, and closes the record.
    await s.handler(ce);
    await s.handler(ce);
    expect((await rows()).map((r) => r.alert_id)).toEqual([...published].sort());
    expect(s.alerts().map((a) => a.alertId)).toEqual(published);
    const attempts = (table: string) => s.warehouse.attempts.filter((a) => a.table === table);
    expect(attempts('compliance.aml_alerts').map((a) => a.failed)).toEqual([true, true, true, false]);
    // The transaction's record row too, once, after the outage (the first two had theirs at once).
    expect(attempts('compliance.transactions').map((a) => a.failed)).toEqual([false, false, false]);
    expect(await s.store.get(AML_COLLECTIONS.evaluations, third.transactionId)).toMatchObject({
      delivered: true,
    });
    // The transaction was counted once through all of it.
    expect(await s.windowOf('user-outage')).toHaveLength(3);
    expect(s.deadLetters()).toEqual([]);
  });
});
