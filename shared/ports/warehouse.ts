import type { TableRows } from '../contracts/schema-types';
import type { TableName } from '../contracts/warehouse-tables';

export type WarehouseRow = Record<string, unknown>;

/**
 * The analytical store: BigQuery in production, an embedded DuckDB locally, same tables.
 * insert() is idempotent per row: the table's row-id column is the de-duplication key.
 */
export interface Warehouse {
  /** Rows are typed by their table's row schema (generated), so the wrong row for a table fails typecheck. */
  insert<T extends TableName>(table: T, rows: TableRows[T][]): Promise<void>;
  /** Portable SQL (named parameters as @name) for reports, views and tests. */
  query<T extends WarehouseRow = WarehouseRow>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Raised when the warehouse refuses particular rows; names each row id and the reason. `permanent` when every
 * reason is one a retry cannot cure (an invalid row, or rows "stopped" only because another row was invalid).
 */
export class WarehouseInsertError extends Error {
  readonly permanent: boolean;

  constructor(
    readonly table: string,
    readonly failures: { rowId: string; reason: string }[],
  ) {
    super(
      `warehouse rejected ${failures.length} row(s) of ${table}: ` +
        failures
          .slice(0, 5)
          .map((f) => `${f.rowId}: ${f.reason}`)
          .join('; '),
    );
    this.name = 'WarehouseInsertError';
    const reasons = failures.map((f) => f.reason);
    this.permanent =
      reasons.some((r) => r.startsWith('invalid')) && reasons.every((r) => /^(invalid|stopped)/.test(r));
  }
}
