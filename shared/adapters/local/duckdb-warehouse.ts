import type { TableRows } from '../../contracts/schema-types';
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { WAREHOUSE_TABLES, duckDbColumn, duckDbDdl, type TableName } from '../../contracts/warehouse-tables';
import type { Warehouse, WarehouseRow } from '../../ports/warehouse';
import { checkRows, rowsOf } from '../../platform/warehouse-rows';
import { duckDbViewDdl } from '../../contracts/warehouse-views';

/**
 * The local warehouse: an embedded DuckDB database with the same tables as BigQuery, derived from the same
 * schemas. The row-id column is the primary key, so a re-sent row is ignored as BigQuery's insertId would.
 */
export class DuckDbWarehouse implements Warehouse {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  /** path ':memory:' (default) or a file; tables, and the views' standing objects, are created if missing. */
  static async open(path = ':memory:'): Promise<DuckDbWarehouse> {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    for (const t of WAREHOUSE_TABLES) for (const sql of duckDbDdl(t)) await conn.run(sql);
    for (const sql of duckDbViewDdl()) await conn.run(sql);
    return new DuckDbWarehouse(instance, conn);
  }

  /** DuckDB connections run one statement at a time; callers may be concurrent. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async insert<T extends TableName>(table: T, typedRows: TableRows[T][]): Promise<void> {
    const rows = rowsOf(typedRows);
    if (rows.length === 0) return;
    const def = checkRows(table, rows);
    const cols = def.columns.map((c) => c.name);
    // One multi-row statement: row-at-a-time inserts cost a round through the engine each.
    const tuple = `(${cols.map(() => '?').join(', ')})`;
    const values: DuckDBValue[] = [];
    for (const row of rows) for (const c of cols) values.push((row[c] ?? null) as DuckDBValue);
    const sql =
      `INSERT INTO ${def.name} (${cols.map(duckDbColumn).join(', ')}) VALUES ` +
      rows.map(() => tuple).join(', ') +
      ' ON CONFLICT DO NOTHING';
    await this.serial(() => this.conn.run(sql, values));
  }

  async query<T extends WarehouseRow = WarehouseRow>(
    sql: string,
    params: Record<string, unknown> = {},
  ): Promise<T[]> {
    // Portable @name parameters become DuckDB's $name.
    const duckSql = sql.replace(/@([A-Za-z_]\w*)/g, '$$$1');
    return this.serial(async () => {
      const reader = await this.conn.runAndReadAll(duckSql, params as Record<string, DuckDBValue>);
      return reader.getRowObjectsJS().map((r) => normalise(r) as T);
    });
  }

  async close(): Promise<void> {
    await this.serial(async () => {
      this.conn.closeSync();
      this.instance.closeSync();
    });
  }
}

function normalise(row: Record<string, unknown>): WarehouseRow {
  const out: WarehouseRow = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v;
  }
  return out;
}
