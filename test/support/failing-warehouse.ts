/** A warehouse in a streaming outage: the next `failNextInserts` inserts fail, then it recovers. */
import type { TableRows } from '../../shared/contracts/schema-types';
import type { TableName } from '../../shared/contracts/warehouse-tables';
import type { Warehouse, WarehouseRow } from '../../shared/ports/warehouse';

export class FailingWarehouse implements Warehouse {
  failNextInserts = 0;
  /** Every insert tried, failed or not: table and row count. */
  readonly attempts: { table: TableName; rows: number; failed: boolean }[] = [];

  constructor(readonly inner: Warehouse) {}

  async insert<T extends TableName>(table: T, rows: TableRows[T][]): Promise<void> {
    const failed = this.failNextInserts > 0;
    this.attempts.push({ table, rows: rows.length, failed });
    if (failed) {
      this.failNextInserts--;
      throw new Error('warehouse unavailable (injected)');
    }
    return this.inner.insert(table, rows);
  }

  query<T extends WarehouseRow = WarehouseRow>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    return this.inner.query<T>(sql, params);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
