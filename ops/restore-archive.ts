/**
 * `npm run restore-archive -- --table dataset.table --from YYYY-MM-DD --to YYYY-MM-DD --into dataset.table_restored`:
 * reads the verified Parquet partitions of those days back from the cold archive and loads them into a table of its
 * own, created with the source table's columns and partitioning and NO partition expiration (a restored old day in
 * a table that expires partitions after 90 days would be deleted on arrival). For each day it takes the latest
 * verified attempt (`<dataset>/<table>/dt=<day>/attempt-<n>/_VERIFIED.json`), re-reads the archived files' row count
 * and checks it against the manifest (and against the `archive_partitions` record in Firestore when one is
 * reachable), loads the files skipping row ids already restored (a rerun adds nothing), and checks the day's rows in
 * the restore table against the manifest. Exit 0 when every archived day is restored with matching counts, 1 on any
 * mismatch or failure, 2 for a bad command line or configuration.
 *
 * Where: GOOGLE_CLOUD_PROJECT's BigQuery and the archive bucket ARCHIVE_BUCKET (load jobs; bigquery.dataEditor on
 * the restore dataset, bigquery.jobUser, storage.objectViewer on the archive; BIGQUERY_LOCATION), or with
 * --local-archive DIR (the local stack's `.local/archive/<project>`) and --duckdb FILE a local DuckDB warehouse.
 * Firestore records are checked in the cloud, and locally when FIRESTORE_EMULATOR_HOST is set.
 */
import { FirestoreDocumentStore } from '../shared/adapters/gcp/firestore-document-store';
import { BigQueryMaintenance } from '../shared/adapters/gcp/bigquery-maintenance';
import { DuckDbMaintenance } from '../shared/adapters/local/duckdb-maintenance';
import { DuckDbWarehouse } from '../shared/adapters/local/duckdb-warehouse';
import { WAREHOUSE_TABLES, type TableName } from '../shared/contracts/warehouse-tables';
import {
  ARCHIVE_COLLECTION,
  dayBounds,
  recordId,
  type PartitionArchiveRecord,
} from '../shared/domain/archive/partition-archive';
import type { DocumentStore } from '../shared/ports/document-store';
import type { ArchiveRestore } from '../shared/ports/warehouse-maintenance';
import { runAsProcess, withArgs, type CommandIo } from './command';

export type RestoreIo = CommandIo;

const USAGE =
  'usage: restore-archive --table dataset.table --from YYYY-MM-DD --to YYYY-MM-DD --into dataset.table_restored\n' +
  '                       [--local-archive DIR --duckdb FILE]';

const MAX_DAYS = 3660;
const DAY_MS = 86_400_000;

export interface RestoreArgs {
  table: TableName;
  from: string;
  to: string;
  into: string;
  localArchive?: string;
  duckdb?: string;
}

export function parseRestoreArgs(argv: string[]): RestoreArgs | string {
  const v: Record<string, string> = {};
  const names = ['--table', '--from', '--to', '--into', '--local-archive', '--duckdb'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!names.includes(arg)) return `unexpected argument '${arg}'`;
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) return `${arg} needs a value`;
    if (v[arg] !== undefined) return `${arg} given twice`;
    v[arg] = value;
  }
  for (const required of ['--table', '--from', '--to', '--into'])
    if (v[required] === undefined) return `${required} is required`;
  const def = WAREHOUSE_TABLES.find((t) => t.name === v['--table']);
  if (!def) return `unknown warehouse table ${v['--table']}`;
  if (!def.partition) return `${def.name} is not time-partitioned: nothing of it is archived`;
  for (const d of ['--from', '--to'])
    try {
      // dayBounds checks the shape; the round trip refuses days the calendar lacks (2024-02-30).
      if (dayBounds(v[d]).from.slice(0, 10) !== v[d]) throw new Error('no such day');
    } catch {
      return `${d} is not a day (YYYY-MM-DD): ${v[d]}`;
    }
  if (v['--from'] > v['--to']) return '--from is after --to';
  if ((Date.parse(v['--to']) - Date.parse(v['--from'])) / DAY_MS >= MAX_DAYS)
    return `at most ${MAX_DAYS} days per run`;
  if (!/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(v['--into'])) return `--into is not dataset.table: ${v['--into']}`;
  if (WAREHOUSE_TABLES.some((t) => t.name === v['--into']))
    return `--into ${v['--into']} is a warehouse table (its partitions expire): restore into a table of its own`;
  if ((v['--local-archive'] === undefined) !== (v['--duckdb'] === undefined))
    return '--local-archive and --duckdb go together (the local stack)';
  return {
    table: def.name,
    from: v['--from'],
    to: v['--to'],
    into: v['--into'],
    ...(v['--local-archive'] ? { localArchive: v['--local-archive'], duckdb: v['--duckdb'] } : {}),
  };
}

export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Restores the days; resolves the exit code. */
export async function restoreArchive(
  args: RestoreArgs,
  deps: { restore: ArchiveRestore; store?: DocumentStore },
  io: RestoreIo,
): Promise<number> {
  const { restore, store } = deps;
  await restore.prepareRestoreTable(args.table, args.into);
  let restored = 0;
  let already = 0;
  let missing = 0;
  let failed = 0;
  let added = 0;
  for (const day of daysBetween(args.from, args.to)) {
    const line = (s: string) => io.out(`${args.table} ${day}  ${s}`);
    try {
      const record = store
        ? await store.get<PartitionArchiveRecord>(ARCHIVE_COLLECTION, recordId(args.table, day))
        : undefined;
      const verified = await restore.verifiedArchives({ table: args.table, day });
      const latest = verified.at(-1);
      if (!latest) {
        if (record && (record.state === 'verified' || record.state === 'deleted')) {
          failed++;
          line(
            `FAILED: the archive record says ${record.state} at ${record.location}, but no verified files`,
          );
        } else {
          missing++;
          line('no verified archive (nothing archived that day)');
        }
        continue;
      }
      const { location, manifest } = latest;
      const problems: string[] = [];
      if (manifest.table !== args.table || manifest.day !== day)
        problems.push(`manifest is for ${manifest.table}@${manifest.day}`);
      const archived = await restore.countArchivedRows(location);
      if (archived !== manifest.rows)
        problems.push(`archive holds ${archived} row(s), manifest says ${manifest.rows}`);
      if (
        record &&
        record.archivedRows !== undefined &&
        record.location === location &&
        record.archivedRows !== manifest.rows
      )
        problems.push(`archive record says ${record.archivedRows} row(s), manifest ${manifest.rows}`);
      if (problems.length) {
        failed++;
        line(`FAILED at ${location}: ${problems.join('; ')} (nothing loaded)`);
        continue;
      }
      const n = await restore.restoreObjects(args.table, manifest.objects, args.into);
      added += n;
      const inTable = await restore.countRestoredRows(args.table, args.into, day);
      if (inTable !== manifest.rows) {
        failed++;
        line(
          `FAILED: ${args.into} holds ${inTable} row(s) of the day, the archive ${manifest.rows} (added ${n})`,
        );
      } else if (n === 0 && manifest.rows > 0) {
        already++;
        line(`already restored (${inTable} row(s) in ${args.into}; from ${location})`);
      } else {
        restored++;
        line(
          `restored ${n} row(s) from ${location} (manifest ${manifest.rows}, archive ${archived}, in table ${inTable})`,
        );
      }
    } catch (err) {
      failed++;
      line(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  io.out(
    `${restored} day(s) restored, ${already} already restored, ${missing} without archive, ${failed} failed; ` +
      `${added} row(s) added to ${args.into}`,
  );
  return failed ? 1 : 0;
}

const main = () => withArgs(parseRestoreArgs, USAGE, run);

async function run(args: RestoreArgs, io: RestoreIo): Promise<number> {
  const projectId = process.env.GOOGLE_CLOUD_PROJECT;
  if (!args.localArchive) {
    if (!projectId || !process.env.ARCHIVE_BUCKET) {
      io.err(`GOOGLE_CLOUD_PROJECT and ARCHIVE_BUCKET must be set (or use --local-archive)\n${USAGE}`);
      return 2;
    }
    const restore = new BigQueryMaintenance({
      projectId,
      location: process.env.BIGQUERY_LOCATION,
      archiveBucket: process.env.ARCHIVE_BUCKET,
      // Restoring never writes to the staging bucket.
      stagingBucket: process.env.ARCHIVE_STAGING_BUCKET ?? '',
    });
    const store = new FirestoreDocumentStore({ projectId });
    try {
      return await restoreArchive(args, { restore, store }, io);
    } finally {
      await store.close();
    }
  }
  const warehouse = await DuckDbWarehouse.open(args.duckdb);
  const restore = new DuckDbMaintenance(warehouse, { archiveDir: args.localArchive });
  const emulatorHost = process.env.FIRESTORE_EMULATOR_HOST;
  const store =
    emulatorHost && projectId ? new FirestoreDocumentStore({ projectId, emulatorHost }) : undefined;
  if (!store) io.out('(no FIRESTORE_EMULATOR_HOST and GOOGLE_CLOUD_PROJECT: archive records not checked)');
  try {
    return await restoreArchive(args, { restore, store }, io);
  } finally {
    await store?.close();
    await warehouse.close();
  }
}

if (require.main === module) runAsProcess(main);
