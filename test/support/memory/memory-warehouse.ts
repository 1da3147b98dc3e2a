/**
 * Warehouse rows kept in memory, keyed by each table's row id like BigQuery's insertId and DuckDB's primary key
 * (a repeated row is stored once), validated against the row schema; `failNext` makes the next inserts fail.
 */
import type { TableRows } from '../../../shared/contracts/schema-types';
import { rowSchemaName, tableDefinition, type TableName } from '../../../shared/contracts/warehouse-tables';
import { validate } from '../../../shared/contracts/validation';
import type { Warehouse, WarehouseRow } from '../../../shared/ports/warehouse';

export class MemoryWarehouse implements Warehouse {
  private readonly tables = new Map<string, Map<string, unknown>>();
  failNext = 0;
  inserts = 0;

  async insert<T extends TableName>(table: T, rows: TableRows[T][]): Promise<void> {
    this.inserts++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('warehouse unavailable (injected)');
    }
    const def = tableDefinition(table);
    const stored = this.tables.get(table) ?? new Map<string, unknown>();
    for (const row of rows) {
      validate(rowSchemaName(table), row);
      const id = String((row as unknown as Record<string, unknown>)[def.rowIdColumn]);
      if (!stored.has(id)) stored.set(id, row);
    }
    this.tables.set(table, stored);
  }

  rows<T extends TableName>(table: T): TableRows[T][] {
    return [...(this.tables.get(table)?.values() ?? [])] as TableRows[T][];
  }

  async query<T extends WarehouseRow = WarehouseRow>(): Promise<T[]> {
    throw new Error('MemoryWarehouse does not run SQL');
  }

  async close(): Promise<void> {}
}
