/**
 * Groups concurrent warehouse inserts of one instance into one request per table: many deliveries in
 * flight each log a row or two, and one streaming insert of a few hundred rows costs about what one row
 * costs. insert() resolves only once its own rows are written (callers acknowledge after logging), and a
 * failed batch rejects every caller in it; rows carry their own ids, so the retries are idempotent.
 */
import type { TableRows } from '../contracts/schema-types';
import { rowsOf } from '../platform/warehouse-rows';
import type { TableName } from '../contracts/warehouse-tables';
import type { Warehouse, WarehouseRow } from '../ports/warehouse';

interface Pending {
  rows: WarehouseRow[];
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
  timer?: NodeJS.Timeout;
}

export class BatchingWarehouse implements Warehouse {
  private readonly pending = new Map<TableName, Pending>();

  constructor(
    private readonly inner: Warehouse,
    private readonly options: { maxRows: number; maxDelayMs: number } = { maxRows: 500, maxDelayMs: 25 },
  ) {}

  insert<T extends TableName>(table: T, typedRows: TableRows[T][]): Promise<void> {
    const rows = rowsOf(typedRows);
    if (rows.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let p = this.pending.get(table);
      if (!p) {
        p = { rows: [], waiters: [] };
        this.pending.set(table, p);
        p.timer = setTimeout(() => void this.flush(table), this.options.maxDelayMs);
      }
      p.rows.push(...rows);
      p.waiters.push({ resolve, reject });
      if (p.rows.length >= this.options.maxRows) void this.flush(table);
    });
  }

  private async flush(table: TableName): Promise<void> {
    const p = this.pending.get(table);
    if (!p) return;
    this.pending.delete(table);
    clearTimeout(p.timer);
    try {
      // The rows were typed by their table when they were queued.
      await this.inner.insert(table, p.rows as unknown as TableRows[typeof table][]);
      for (const w of p.waiters) w.resolve();
    } catch (err) {
      for (const w of p.waiters) w.reject(err);
    }
  }

  query<T extends WarehouseRow = WarehouseRow>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    return this.inner.query<T>(sql, params);
  }

  async close(): Promise<void> {
    await Promise.all([...this.pending.keys()].map((t) => this.flush(t)));
    await this.inner.close();
  }
}
