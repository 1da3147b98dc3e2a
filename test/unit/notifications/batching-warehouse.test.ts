/** The warehouse's group commit: concurrent inserts become one request; each caller waits for its own rows. */
import { BatchingWarehouse } from '../../../shared/adapters/batching-warehouse';
import type { TableName } from '../../../shared/contracts/warehouse-tables';
import type { TableRows } from '../../../shared/contracts/schema-types';
import type { Warehouse, WarehouseRow } from '../../../shared/ports/warehouse';

/** Records each request; `hold` keeps requests open until released, like a slow streaming insert. */
class RecordingWarehouse implements Warehouse {
  readonly calls: { table: string; rows: object[] }[] = [];
  readonly open: (() => void)[] = [];
  failNext = false;
  hold = false;
  closed = false;
  async insert<N extends TableName>(table: N, rows: TableRows[N][]): Promise<void> {
    this.calls.push({ table, rows });
    if (this.hold) await new Promise<void>((r) => this.open.push(r));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('insert failed');
    }
  }
  release(): void {
    for (const r of this.open.splice(0)) r();
  }
  async query<T extends WarehouseRow>(): Promise<T[]> {
    return [];
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const T = 'notifications.deliveries' as const;
const M = 'risk.margin_events' as const;
/** Batching never looks inside a row: a stand-in with an id is enough. */
const row = (id: number) => ({ id }) as unknown as TableRows[typeof T];
const turn = () => new Promise<void>((r) => setImmediate(r));
const ids = (inner: RecordingWarehouse) =>
  inner.calls.map((c) => c.rows.map((r) => (r as { id: number }).id));

it('writes the inserts of one turn as one request, and resolves each caller once its rows are written', async () => {
  const inner = new RecordingWarehouse();
  const w = new BatchingWarehouse(inner);
  await Promise.all([1, 2, 3].map((i) => w.insert(T, [row(i)])));
  expect(ids(inner)).toEqual([[1, 2, 3]]);
});

it('writes at once when nothing is out: no caller waits for a timer', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  try {
    const inner = new RecordingWarehouse();
    const w = new BatchingWarehouse(inner);
    await w.insert(T, [row(1)]); // would never resolve if a setTimeout window held it
    await w.insert(T, [row(2)]);
    expect(ids(inner)).toEqual([[1], [2]]);
  } finally {
    jest.useRealTimers();
  }
});

it('gathers what arrives while every slot is busy into the next request', async () => {
  const inner = new RecordingWarehouse();
  inner.hold = true;
  const w = new BatchingWarehouse(inner, { maxRows: 100, maxInFlight: 2 });
  const first = w.insert(T, [row(1)]);
  await turn();
  const second = w.insert(T, [row(2)]);
  await turn();
  expect(ids(inner)).toEqual([[1], [2]]); // two slots, two requests out
  const later = [3, 4, 5].map((i) => w.insert(T, [row(i)]));
  await turn();
  await turn();
  expect(inner.calls.length).toBe(2); // both slots busy: 3, 4 and 5 wait
  let thirdDone = false;
  void later[0].then(() => (thirdDone = true));
  inner.release();
  await Promise.all([first, second]);
  await turn();
  expect(ids(inner)).toEqual([[1], [2], [3, 4, 5]]);
  expect(thirdDone).toBe(false); // its own request is still open
  inner.release();
  await Promise.all(later);
  expect(thirdDone).toBe(true);
});

it('sends a full request at once, caps it at maxRows without splitting a caller, and keeps tables apart', async () => {
  const inner = new RecordingWarehouse();
  const w = new BatchingWarehouse(inner, { maxRows: 3, maxInFlight: 4 });
  const first = w.insert(T, [row(1), row(2)]);
  const other = w.insert(M, [row(9)] as unknown as TableRows[typeof M][]);
  const second = w.insert(T, [row(3), row(4)]); // 4 rows queued: two requests at once, each caller whole
  expect(ids(inner)).toEqual([
    [1, 2],
    [3, 4],
  ]);
  const rest = [w.insert(T, [row(5)]), w.insert(T, [row(6), row(7)])];
  await Promise.all([first, other, second, ...rest]);
  expect(inner.calls.map((c) => c.table)).toEqual([T, T, T, M]);
  expect(ids(inner)).toEqual([[1, 2], [3, 4], [5, 6, 7], [9]]);
});

it('never has more than maxInFlight requests of a table out', async () => {
  const inner = new RecordingWarehouse();
  let out = 0;
  let most = 0;
  const insert = inner.insert.bind(inner);
  inner.insert = async (table, rows) => {
    most = Math.max(most, ++out);
    await turn();
    await insert(table, rows);
    out--;
  };
  const w = new BatchingWarehouse(inner, { maxRows: 1, maxInFlight: 3 });
  await Promise.all(Array.from({ length: 20 }, (_, i) => w.insert(T, [row(i)])));
  expect(inner.calls.length).toBe(20);
  expect(most).toBe(3);
});

it('rejects every caller of a failed request, and only them', async () => {
  const inner = new RecordingWarehouse();
  inner.hold = true;
  inner.failNext = true;
  const w = new BatchingWarehouse(inner, { maxRows: 100, maxInFlight: 1 });
  const failed = [w.insert(T, [row(1)]), w.insert(T, [row(2)])];
  await turn();
  const next = w.insert(T, [row(3)]);
  inner.release();
  const results = await Promise.allSettled(failed);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  await turn();
  inner.release();
  await expect(next).resolves.toBeUndefined();
  expect(ids(inner)).toEqual([[1, 2], [3]]);
});

it('close writes what is queued and waits for the requests out before closing the warehouse', async () => {
  const inner = new RecordingWarehouse();
  inner.hold = true;
  const w = new BatchingWarehouse(inner, { maxRows: 100, maxInFlight: 1 });
  const a = w.insert(T, [row(1)]);
  await turn();
  const b = w.insert(T, [row(2)]);
  const closing = w.close();
  await turn();
  expect(inner.closed).toBe(false);
  inner.release();
  await a;
  await turn();
  expect(inner.closed).toBe(false); // row 2's request is out now
  inner.release();
  await Promise.all([b, closing]);
  expect(ids(inner)).toEqual([[1], [2]]);
  expect(inner.closed).toBe(true);
});
