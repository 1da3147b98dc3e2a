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
import { TurnBatch } from '../platform/turn-batch';
import type { TableName } from '../contracts/warehouse-tables';
import type { Warehouse, WarehouseRow } from '../ports/warehouse';

export interface BatchingOptions {
  /** Rows per request, at most (a caller's rows are never split, so one large caller may exceed it). */
  maxRows: number;
  /** Requests per table in flight at once; further rows queue for the next slot. */
  maxInFlight: number;
}

export class BatchingWarehouse implements Warehouse {
  private readonly tables = new Map<TableName, TurnBatch<WarehouseRow[], void>>();

  constructor(
    private readonly inner: Warehouse,
    private readonly options: BatchingOptions = { maxRows: 500, maxInFlight: 2 },
  ) {}

  insert<T extends TableName>(table: T, typedRows: TableRows[T][]): Promise<void> {
    const rows = rowsOf(typedRows);
    if (rows.length === 0) return Promise.resolve();
    let batch = this.tables.get(table);
    if (!batch) {
      batch = new TurnBatch<WarehouseRow[], void>(
        async (callers) => {
          // The rows were typed by their table when they were queued.
          await this.inner.insert(table, callers.flat() as unknown as TableRows[typeof table][]);
          return callers.map(() => undefined);
        },
        this.options.maxRows,
        { maxInFlight: this.options.maxInFlight, weight: (r) => r.length },
      );
      this.tables.set(table, batch);
    }
    return batch.add(rows);
  }

  query<T extends WarehouseRow = WarehouseRow>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    return this.inner.query<T>(sql, params);
  }

  /** Writes what is queued, waits for every request out, then closes the warehouse underneath. */
  async close(): Promise<void> {
    await Promise.all([...this.tables.values()].map((b) => b.idle()));
    await this.inner.close();
  }
}
