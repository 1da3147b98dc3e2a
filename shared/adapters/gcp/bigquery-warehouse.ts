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
 * Rows per insertAll request: BigQuery recommends at most 500 per request for streaming, and one request holding
 * a whole shard (12 risk figures per portfolio, ~7.5 KB) would pass the request size limit at ~1,250 portfolios.
 */
export const MAX_ROWS_PER_REQUEST = 500;
/** Bytes of row JSON per request: half the client library's own 9 MiB batch limit (rowBatch.BATCH_LIMITS). */
export const MAX_BYTES_PER_REQUEST = 4.5 * 1024 * 1024;
/** Requests of one insert in flight at once. */
const REQUESTS_IN_FLIGHT = 4;

/** Consecutive chunks of at most `maxRows` rows and `maxBytes` of JSON (a larger row goes alone). */
export function requestChunks<R>(
  rows: readonly R[],
  maxRows = MAX_ROWS_PER_REQUEST,
  maxBytes = MAX_BYTES_PER_REQUEST,
): R[][] {
  const chunks: R[][] = [];
  let chunk: R[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = Buffer.byteLength(JSON.stringify(row));
    if (chunk.length > 0 && (chunk.length >= maxRows || bytes + size > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
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
    const target = bq.dataset(def.dataset).table(def.table);
    const chunks = requestChunks(payload);
    const failures: { rowId: string; reason: string }[] = [];
    let next = 0;
    const send = async (): Promise<void> => {
      for (let i = next++; i < chunks.length; i = next++) {
        try {
          // The library re-sends only the failed rows, under the same insertIds (raw). Rows that stay invalid end
          // in a permanent WarehouseInsertError; transient ones make the function retry (every chunk again, the
          // insertIds let BigQuery drop what already arrived).
          await target.insert(chunks[i], { raw: true, partialRetries: 3 });
        } catch (err) {
          const e = err as { name?: string; errors?: PartialFailure[] };
          if (e.name !== 'PartialFailureError' || !Array.isArray(e.errors)) throw err;
          for (const f of e.errors)
            failures.push({
              rowId: String(f.row?.insertId ?? '?'),
              reason: (f.errors ?? []).map((x) => `${x.reason ?? 'error'}: ${x.message ?? ''}`).join(', '),
            });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(REQUESTS_IN_FLIGHT, chunks.length) }, send));
    if (failures.length > 0) throw new WarehouseInsertError(def.name, failures);
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
