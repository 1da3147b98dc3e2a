/**
 * Runs BigQueryWarehouse.insert calls in a process of its own and prints each outcome as JSON.
 * The BigQuery client's HTTP layer (teeny-request) loads node-fetch with a dynamic import(), which Jest's
 * module sandbox cannot execute; a plain Node process runs the real client unchanged.
 *
 * argv[2]: JSON { projectId, calls: [{ table, rows, freshInstance? }] }, or @file holding it (large inserts). The environment points the client
 * at the server (BIGQUERY_EMULATOR_HOST).
 */
import { readFileSync } from 'node:fs';
import { BigQueryWarehouse } from '../../../../shared/adapters/gcp/bigquery-warehouse';
import type { TableRows } from '../../../../shared/contracts/schema-types';
import type { TableName } from '../../../../shared/contracts/warehouse-tables';
import type { WarehouseRow } from '../../../../shared/ports/warehouse';

export interface InsertCall {
  table: TableName;
  rows: WarehouseRow[];
  /** Use a new adapter instance, as a retried invocation on a fresh instance would. */
  freshInstance?: boolean;
}

export type InsertOutcome =
  | { ok: true }
  | {
      ok: false;
      name: string;
      message: string;
      table?: string;
      failures?: { rowId: string; reason: string }[];
      problems?: string[];
    };

async function main(): Promise<void> {
  const arg = process.argv[2];
  const text = arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg;
  const { projectId, calls } = JSON.parse(text) as { projectId: string; calls: InsertCall[] };
  let w = new BigQueryWarehouse({ projectId });
  const out: InsertOutcome[] = [];
  for (const call of calls) {
    if (call.freshInstance) w = new BigQueryWarehouse({ projectId });
    try {
      // Rows arrive as JSON, some deliberately invalid: the adapter's run-time validation is under test.
      await w.insert(call.table, call.rows as unknown as TableRows[TableName][]);
      out.push({ ok: true });
    } catch (err) {
      const e = err as Error & { table?: string; failures?: []; problems?: string[] };
      out.push({
        ok: false,
        name: e.name,
        message: e.message,
        table: e.table,
        failures: e.failures,
        problems: e.problems,
      });
    }
  }
  process.stdout.write(JSON.stringify(out));
}

void main();
