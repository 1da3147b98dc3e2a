import type { TableRows } from '../../contracts/schema-types';
import type {
  DuckDBConnection,
  DuckDBInstance,
  DuckDBPreparedStatement,
  DuckDBValue,
} from '@duckdb/node-api';
import { WAREHOUSE_TABLES, duckDbColumn, duckDbDdl, type TableName } from '../../contracts/warehouse-tables';
import type { Warehouse, WarehouseRow } from '../../ports/warehouse';
import { checkRows, rowsOf } from '../../platform/warehouse-rows';
import { duckDbViewDdl } from '../../contracts/warehouse-views';

/**
 * The local warehouse: an embedded DuckDB database with the same tables as BigQuery, derived from the same
 * schemas. The row-id column is the primary key, so a re-sent row is ignored as BigQuery's insertId would.
 */
/** Rows per insert statement, largest first: any row count is a few of these, each statement prepared once. */
const CHUNK_SIZES = [128, 32, 8, 2, 1];

export class DuckDbWarehouse implements Warehouse {
  private queue: Promise<unknown> = Promise.resolve();
  /** Insert statements by table and row count: parsing and planning a 2,000-parameter statement costs more than running it. */
  private readonly statements = new Map<string, DuckDBPreparedStatement>();

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
    const values: DuckDBValue[] = [];
    for (const row of rows) for (const c of cols) values.push((row[c] ?? null) as DuckDBValue);
    // Multi-row statements (row-at-a-time inserts cost a round through the engine each), prepared once per size.
    // Not atomic across chunks, like BigQuery's streaming inserts: a retry re-sends the rows and their ids dedupe.
    await this.serial(async () => {
      let at = 0;
      while (at < rows.length) {
        const n = CHUNK_SIZES.find((size) => size <= rows.length - at) as number;
        const statement = await this.insertStatement(def.name, cols, n);
        statement.bind(values.slice(at * cols.length, (at + n) * cols.length));
        await statement.run();
        at += n;
      }
    });
  }

  private async insertStatement(
    table: string,
    cols: string[],
    rows: number,
  ): Promise<DuckDBPreparedStatement> {
    const key = `${table}:${rows}`;
    let statement = this.statements.get(key);
    if (!statement) {
      const tuple = `(${cols.map(() => '?').join(', ')})`;
      statement = await this.conn.prepare(
        `INSERT INTO ${table} (${cols.map(duckDbColumn).join(', ')}) VALUES ` +
          Array.from({ length: rows }, () => tuple).join(', ') +
          ' ON CONFLICT DO NOTHING',
      );
      this.statements.set(key, statement);
    }
    return statement;
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
      for (const statement of this.statements.values()) statement.destroySync();
      this.statements.clear();
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
