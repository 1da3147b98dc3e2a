/**
 * Groups concurrent warehouse inserts of one instance into one request per table: many deliveries in
 * flight each log a row or two, and one streaming insert of a few hundred rows costs about what one row
 * costs. insert() resolves only once its own rows are written (callers acknowledge after logging), and a
 * failed batch rejects every caller in it; rows carry their own ids, so the retries are idempotent.
 *
 * Group commit, not a timer: rows go out at the end of the event-loop turn they arrived in if fewer than
 * `maxInFlight` requests for their table are out; otherwise they wait for the next free slot together with
 * whatever else arrived meanwhile. An idle instance writes at once, a busy one writes large batches, and no
 * caller waits for a window to close (a fixed 25-ms window held every delivery and every risk batch that long).
 */
import type { TableRows } from '../contracts/schema-types';
import { rowsOf } from '../platform/warehouse-rows';
import type { TableName } from '../contracts/warehouse-tables';
import type { Warehouse, WarehouseRow } from '../ports/warehouse';

interface Waiting {
  rows: WarehouseRow[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface TableQueue {
  waiting: Waiting[];
  inFlight: number;
  scheduled: boolean;
}

export interface BatchingOptions {
  /** Rows per request, at most (a caller's rows are never split, so one large caller may exceed it). */
  maxRows: number;
  /** Requests per table in flight at once; further rows queue for the next slot. */
  maxInFlight: number;
}

export class BatchingWarehouse implements Warehouse {
  private readonly tables = new Map<TableName, TableQueue>();
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly inner: Warehouse,
    private readonly options: BatchingOptions = { maxRows: 500, maxInFlight: 2 },
  ) {}

  insert<T extends TableName>(table: T, typedRows: TableRows[T][]): Promise<void> {
    const rows = rowsOf(typedRows);
    if (rows.length === 0) return Promise.resolve();
    let q = this.tables.get(table);
    if (!q) {
      q = { waiting: [], inFlight: 0, scheduled: false };
      this.tables.set(table, q);
    }
    const queue = q;
    return new Promise<void>((resolve, reject) => {
      queue.waiting.push({ rows, resolve, reject });
      if (!queue.scheduled) {
        // The rest of this turn's callers join the same request.
        queue.scheduled = true;
        setImmediate(() => {
          queue.scheduled = false;
          this.drain(table, queue);
        });
      }
    });
  }

  private drain(table: TableName, q: TableQueue): void {
    while (q.inFlight < this.options.maxInFlight && q.waiting.length) {
      const batch: Waiting[] = [];
      let size = 0;
      while (
        q.waiting.length &&
        (batch.length === 0 || size + q.waiting[0].rows.length <= this.options.maxRows)
      ) {
        const w = q.waiting.shift() as Waiting;
        batch.push(w);
        size += w.rows.length;
      }
      q.inFlight++;
      const done = this.write(table, batch).finally(() => {
        this.writes.delete(done);
        q.inFlight--;
        this.drain(table, q);
      });
      this.writes.add(done);
    }
  }

  private async write(table: TableName, batch: Waiting[]): Promise<void> {
    try {
      // The rows were typed by their table when they were queued.
      const rows = batch.flatMap((w) => w.rows) as unknown as TableRows[typeof table][];
      await this.inner.insert(table, rows);
      for (const w of batch) w.resolve();
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  query<T extends WarehouseRow = WarehouseRow>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    return this.inner.query<T>(sql, params);
  }

  /** Writes what is queued, waits for every request out, then closes the warehouse underneath. */
  async close(): Promise<void> {
    for (;;) {
      const queues = [...this.tables.values()];
      if (queues.some((q) => q.scheduled)) await new Promise<void>((r) => setImmediate(r));
      else if (this.writes.size) await Promise.all(this.writes);
      else break;
    }
    await this.inner.close();
  }
}
