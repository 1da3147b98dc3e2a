/** The delivery log's batching: concurrent inserts become one request; each caller waits for its own rows. */
import { BatchingWarehouse } from '../../../shared/adapters/batching-warehouse';
import type { TableName } from '../../../shared/contracts/warehouse-tables';
import type { TableRows } from '../../../shared/contracts/schema-types';
import type { Warehouse, WarehouseRow } from '../../../shared/ports/warehouse';

class RecordingWarehouse implements Warehouse {
  readonly calls: object[][] = [];
  failNext = false;
  async insert<N extends TableName>(_t: N, rows: TableRows[N][]): Promise<void> {
    this.calls.push(rows);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('insert failed');
    }
  }
  async query<T extends WarehouseRow>(): Promise<T[]> {
    return [];
  }
  async close(): Promise<void> {}
}

const T = 'notifications.deliveries' as const;
/** Batching never looks inside a row: a stand-in with an id is enough. */
const row = (id: number) => ({ id }) as unknown as TableRows[typeof T];

it('writes concurrent inserts as one request, and resolves each caller once its rows are written', async () => {
  const inner = new RecordingWarehouse();
  const w = new BatchingWarehouse(inner, { maxRows: 100, maxDelayMs: 5 });
  await Promise.all([1, 2, 3].map((i) => w.insert(T, [row(i)])));
  expect(inner.calls).toEqual([[{ id: 1 }, { id: 2 }, { id: 3 }]]);
});

it('flushes as soon as a batch is full', async () => {
  const inner = new RecordingWarehouse();
  const w = new BatchingWarehouse(inner, { maxRows: 2, maxDelayMs: 60_000 });
  await Promise.all([w.insert(T, [row(1)]), w.insert(T, [row(2)])]);
  expect(inner.calls.length).toBe(1);
});

it('rejects every caller of a failed batch, so each delivery is retried', async () => {
  const inner = new RecordingWarehouse();
  inner.failNext = true;
  const w = new BatchingWarehouse(inner, { maxRows: 100, maxDelayMs: 5 });
  const results = await Promise.allSettled([w.insert(T, [row(1)]), w.insert(T, [row(2)])]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  await w.insert(T, [row(3)]);
  expect(inner.calls.length).toBe(2);
});
