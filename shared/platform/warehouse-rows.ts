import { validate } from '../contracts/validation';
import {
  rowSchemaName,
  tableDefinition,
  type TableDefinition,
  type TableName,
} from '../contracts/warehouse-tables';
import type { WarehouseRow } from '../ports/warehouse';

/** Checks rows against their table's row schema and returns the table definition; shared by both adapters. */
export function checkRows(table: TableName, rows: WarehouseRow[]): TableDefinition {
  const def = tableDefinition(table);
  for (const row of rows) validate(rowSchemaName(table), row);
  return def;
}

/**
 * Rows as the adapters handle them: plain records. Callers are typed by the table's generated row type; the
 * adapters validate every row against the same schema before it is stored.
 */
export function rowsOf(rows: readonly object[]): WarehouseRow[] {
  return rows as WarehouseRow[];
}

/** Warehouse timestamps arrive as Date (DuckDB), text, or { value } (BigQuery): one ISO form. */
export function warehouseTimestamp(v: unknown): string {
  const raw = v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v;
  const d = raw instanceof Date ? raw : new Date(String(raw));
  if (Number.isNaN(d.getTime())) throw new Error(`not a timestamp: ${String(raw)}`);
  return d.toISOString();
}
