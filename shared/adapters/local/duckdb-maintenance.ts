/**
 * Warehouse housekeeping for the local DuckDB warehouse: materialized views are tables rebuilt from the same
 * definitions as BigQuery's (shared/contracts/warehouse-views.json), and the cold archive is a folder of Parquet
 * files written by DuckDB itself (COPY ... (FORMAT PARQUET)) and re-read with read_parquet for verification.
 * Works through the Warehouse port's query(), so it shares the stack's DuckDB connection and its serialisation.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { duckDbColumn, tableDefinition, type TableName } from '../../contracts/warehouse-tables';
import {
  duckDbMaterializedViewSql,
  duckDbRollingViewSql,
  materializedView,
  rollingView,
} from '../../contracts/warehouse-views';
import { dayBounds } from '../../domain/archive/partition-archive';
import type { Warehouse, WarehouseRow } from '../../ports/warehouse';
import type { ArchiveManifest, PartitionDay, WarehouseMaintenance } from '../../ports/warehouse-maintenance';
import type { VerifiedArchive } from '../../ports/warehouse-maintenance';
import { readFileSync } from 'node:fs';
import { WAREHOUSE_TABLES, duckDbDdl, type TableDefinition } from '../../contracts/warehouse-tables';

const DAY_SECONDS = 86_400;

/** Single-quoted SQL literal (paths and timestamps are inlined: COPY takes no parameters). */
const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export class DuckDbMaintenance implements WarehouseMaintenance {
  readonly archiveDir: string;

  constructor(
    private readonly warehouse: Warehouse,
    options: { archiveDir: string },
  ) {
    this.archiveDir = resolve(options.archiveDir);
  }

  async refreshMaterializedView(view: string): Promise<void> {
    const def = materializedView(view);
    // The local equivalent of a refresh: recompute the roll-up from the base table.
    await this.warehouse.query(`CREATE OR REPLACE TABLE ${def.name} AS\n${duckDbMaterializedViewSql(def)}`);
  }

  /** Rows of a rolling view as of `now` (the Clock's time, not the machine's). */
  async readRollingView<T extends WarehouseRow = WarehouseRow>(view: string, now: Date): Promise<T[]> {
    return this.warehouse.query<T>(duckDbRollingViewSql(rollingView(view)), { now: now.toISOString() });
  }

  async partitionDays(table: TableName, beforeDay: string): Promise<string[]> {
    const column = partitionColumn(table);
    const rows = await this.warehouse.query<{ day_number: number }>(
      `SELECT DISTINCT CAST(floor(epoch(${column}) / ${DAY_SECONDS}) AS BIGINT) AS day_number
       FROM ${table} WHERE ${column} < CAST(@before AS TIMESTAMPTZ) ORDER BY day_number`,
      { before: dayBounds(beforeDay).from },
    );
    return rows.map((r) => new Date(Number(r.day_number) * DAY_SECONDS * 1000).toISOString().slice(0, 10));
  }

  async countRows(p: PartitionDay): Promise<number> {
    const { from, to } = dayBounds(p.day);
    const column = partitionColumn(p.table);
    const [row] = await this.warehouse.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${p.table}
       WHERE ${column} >= CAST(@from AS TIMESTAMPTZ) AND ${column} < CAST(@to AS TIMESTAMPTZ)`,
      { from, to },
    );
    return Number(row?.n ?? 0);
  }

  async exportPartition(p: PartitionDay, location: string): Promise<string[]> {
    const dir = this.resolveLocation(location);
    // An unverified attempt may be rewritten: start it from an empty folder.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const { from, to } = dayBounds(p.day);
    const column = partitionColumn(p.table);
    const file = join(dir, 'part-000.parquet');
    await this.warehouse.query(
      `COPY (SELECT * FROM ${p.table}
             WHERE ${column} >= ${literal(from)}::TIMESTAMPTZ AND ${column} < ${literal(to)}::TIMESTAMPTZ
             ORDER BY ${column})
       TO ${literal(file)} (FORMAT PARQUET, COMPRESSION ZSTD)`,
    );
    return readdirSync(dir)
      .filter((f) => f.endsWith('.parquet'))
      .sort()
      .map((f) => `${location}/${f}`);
  }

  async countArchivedRows(location: string): Promise<number> {
    const dir = this.resolveLocation(location);
    const files = readdirSync(dir, { withFileTypes: true }).filter(
      (f) => f.isFile() && f.name.endsWith('.parquet'),
    );
    if (files.length === 0) return 0;
    const [row] = await this.warehouse.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM read_parquet(${literal(join(dir, '*.parquet'))})`,
    );
    return Number(row?.n ?? 0);
  }

  async markVerified(location: string, manifest: ArchiveManifest): Promise<void> {
    const file = join(this.resolveLocation(location), '_VERIFIED.json');
    // Like the archive bucket: an existing marker is never replaced.
    if (!existsSync(file)) writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n', { flag: 'wx' });
  }

  async deletePartition(p: PartitionDay): Promise<number> {
    const before = await this.countRows(p);
    const { from, to } = dayBounds(p.day);
    const column = partitionColumn(p.table);
    await this.warehouse.query(
      `DELETE FROM ${p.table}
       WHERE ${column} >= CAST(@from AS TIMESTAMPTZ) AND ${column} < CAST(@to AS TIMESTAMPTZ)`,
      { from, to },
    );
    return before;
  }

  /** Archived files of one location, as absolute paths (for reports and tests). */
  archivedFiles(location: string): string[] {
    const dir = this.resolveLocation(location);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.parquet'))
      .sort()
      .map((f) => join(dir, f));
  }

  // ── Restore (ArchiveRestore): the operators' restore-archive command ──────────────────────────────────────────

  async verifiedArchives(p: PartitionDay): Promise<VerifiedArchive[]> {
    const [dataset, name] = p.table.split('.');
    dayBounds(p.day);
    const dayDir = this.resolveLocation(`${dataset}/${name}/dt=${p.day}`);
    if (!existsSync(dayDir)) return [];
    return readdirSync(dayDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^attempt-\d+$/.test(d.name))
      .map((d) => ({ attempt: Number(d.name.slice('attempt-'.length)), dir: d.name }))
      .sort((a, b) => a.attempt - b.attempt)
      .flatMap(({ dir }) => {
        const marker = join(dayDir, dir, '_VERIFIED.json');
        if (!existsSync(marker)) return [];
        const manifest = JSON.parse(readFileSync(marker, 'utf8')) as ArchiveManifest;
        return [{ location: `${dataset}/${name}/dt=${p.day}/${dir}`, manifest }];
      });
  }

  async prepareRestoreTable(table: TableName, into: string): Promise<void> {
    const target = restoreTarget(table, into);
    // DuckDB has no partition expiry: the table is the source's columns with its row id as the primary key.
    for (const sql of duckDbDdl(target)) await this.warehouse.query(sql);
  }

  async restoreObjects(table: TableName, objects: string[], into: string): Promise<number> {
    const target = restoreTarget(table, into);
    if (objects.length === 0) return 0;
    const files = objects.map((o) => literal(this.resolveLocation(o))).join(', ');
    const cols = target.columns.map((c) => duckDbColumn(c.name)).join(', ');
    const count = async () =>
      Number((await this.warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${into}`))[0]?.n ?? 0);
    const before = await count();
    // The row id is the primary key: rows already restored are skipped, so a rerun adds nothing.
    await this.warehouse.query(
      `INSERT INTO ${into} (${cols}) SELECT ${cols} FROM read_parquet([${files}]) ON CONFLICT DO NOTHING`,
    );
    return (await count()) - before;
  }

  async countRestoredRows(table: TableName, into: string, day: string): Promise<number> {
    restoreTarget(table, into);
    const { from, to } = dayBounds(day);
    const column = partitionColumn(table);
    const [row] = await this.warehouse.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${into}
       WHERE ${column} >= CAST(@from AS TIMESTAMPTZ) AND ${column} < CAST(@to AS TIMESTAMPTZ)`,
      { from, to },
    );
    return Number(row?.n ?? 0);
  }

  private resolveLocation(location: string): string {
    const dir = resolve(this.archiveDir, location);
    if (!dir.startsWith(this.archiveDir + sep))
      throw new Error(`archive location escapes the archive: ${location}`);
    return dir;
  }
}

function partitionColumn(table: TableName): string {
  const field = tableDefinition(table).partition?.field;
  if (!field) throw new Error(`${table} is not time-partitioned`);
  return duckDbColumn(field);
}

/** The restore table's definition: the source's columns, partitioning and row id under the `into` name. */
function restoreTarget(table: TableName, into: string): TableDefinition {
  if (!/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(into)) throw new Error(`not a dataset.table name: ${into}`);
  if (WAREHOUSE_TABLES.some((t) => t.name === into))
    throw new Error(`${into} is a warehouse table: restore into a table of its own`);
  const [dataset, name] = into.split('.');
  return { ...tableDefinition(table), name: into as TableName, dataset, table: name };
}
