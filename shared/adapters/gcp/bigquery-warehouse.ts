import type { TableRows } from '../../contracts/schema-types';
import type { BigQuery, BigQueryOptions } from '@google-cloud/bigquery';
import type { TableName } from '../../contracts/warehouse-tables';
import { WarehouseInsertError, type Warehouse, type WarehouseRow } from '../../ports/warehouse';
import { checkRows, rowsOf } from '../../platform/warehouse-rows';

interface PartialFailure {
  row?: { insertId?: string; json?: WarehouseRow };
  errors?: { reason?: string; message?: string }[];
}

/**
 * BigQuery streaming inserts with `raw: true` and insertId = the row's own id, so a retried invocation
 * re-sends the same ids and BigQuery can drop the duplicates. Per-row failures surface as one
 * WarehouseInsertError naming each row and its reason (rows "stopped" by another row's failure included).
 */
export class BigQueryWarehouse implements Warehouse {
  private client?: Promise<BigQuery>;

  constructor(
    private readonly options: {
      projectId: string;
      location?: string;
      /** Extra client options (apiEndpoint, authClient, ...): tests point the real client at a local server. */
      client?: Omit<BigQueryOptions, 'projectId' | 'location'>;
    },
  ) {}

  private bq(): Promise<BigQuery> {
    this.client ??= import('@google-cloud/bigquery').then(
      ({ BigQuery }) =>
        new BigQuery({
          ...this.options.client,
          projectId: this.options.projectId,
          location: this.options.location,
        }),
    );
    return this.client;
  }

  async insert<T extends TableName>(table: T, typedRows: TableRows[T][]): Promise<void> {
    const rows = rowsOf(typedRows);
    if (rows.length === 0) return;
    const def = checkRows(table, rows);
    const bq = await this.bq();
    const payload = rows.map((json) => ({ insertId: String(json[def.rowIdColumn]), json }));
    try {
      // The library re-sends only the failed rows, under the same insertIds (raw). Rows that stay invalid end
      // in a permanent WarehouseInsertError; transient ones make the function retry.
      await bq.dataset(def.dataset).table(def.table).insert(payload, { raw: true, partialRetries: 3 });
    } catch (err) {
      const e = err as { name?: string; errors?: PartialFailure[] };
      if (e.name === 'PartialFailureError' && Array.isArray(e.errors)) {
        throw new WarehouseInsertError(
          def.name,
          e.errors.map((f) => ({
            rowId: String(f.row?.insertId ?? '?'),
            reason: (f.errors ?? []).map((x) => `${x.reason ?? 'error'}: ${x.message ?? ''}`).join(', '),
          })),
        );
      }
      throw err;
    }
  }

  async query<T extends WarehouseRow = WarehouseRow>(
    sql: string,
    params: Record<string, unknown> = {},
  ): Promise<T[]> {
    const [rows] = await (await this.bq()).query({ query: sql, params });
    return rows as T[];
  }

  async close(): Promise<void> {
    // The BigQuery client holds no open connections.
  }
}
