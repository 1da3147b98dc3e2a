/**
 * Warehouse housekeeping on BigQuery and Cloud Storage.
 *
 * - Refresh: CALL BQ.REFRESH_MATERIALIZED_VIEW('<project>.<dataset>.<view>').
 * - Export: EXPORT DATA (Parquet) of one day into the un-locked staging bucket (BigQuery may rewrite export files,
 *   which a retention policy forbids), then each file is copied into the archive bucket under the same name with
 *   ifGenerationMatch=0: an archived object is never overwritten; one that is already there (a rerun) is kept if it
 *   is byte-identical (same CRC32C). Staging files are deleted afterwards (the staging lifecycle rule is the backstop).
 * - Verify: COUNT(*) over the archived files themselves, as a temporary external table (the files are re-read);
 *   then <location>/_VERIFIED.json is written beside them, so the archive alone says which attempt is complete.
 * - Delete: DML DELETE on the day's range of the partitioning column (whole partitions, so BigQuery drops them as
 *   metadata).
 * Clients are imported lazily: loading this module loads no Cloud library.
 */
import type { BigQuery, BigQueryOptions, Query } from '@google-cloud/bigquery';
import type { AuthClient } from 'google-auth-library';
import { tableDefinition, type TableName } from '../../contracts/warehouse-tables';
import { dayBounds } from '../../domain/archive/partition-archive';
import type { ArchiveManifest, PartitionDay, WarehouseMaintenance } from '../../ports/warehouse-maintenance';
import type { VerifiedArchive } from '../../ports/warehouse-maintenance';
import { WAREHOUSE_TABLES, bigQuerySchema } from '../../contracts/warehouse-tables';

const STORAGE = 'https://storage.googleapis.com/storage/v1';

interface GcsObject {
  name: string;
  crc32c?: string;
}

export interface BigQueryMaintenanceOptions {
  projectId: string;
  location?: string;
  archiveBucket: string;
  stagingBucket: string;
  /** Extra BigQuery client options (tests point the client at a local server). */
  client?: Omit<BigQueryOptions, 'projectId' | 'location'>;
  /** Authorised HTTP client for Cloud Storage's JSON API; default: application default credentials. */
  storageClient?: Pick<AuthClient, 'request'>;
  /** Cloud Storage JSON API root (tests). */
  storageEndpoint?: string;
}

export class BigQueryMaintenance implements WarehouseMaintenance {
  private bqClient?: Promise<BigQuery>;
  private gcsClient?: Promise<Pick<AuthClient, 'request'>>;

  constructor(private readonly options: BigQueryMaintenanceOptions) {}

  private bq(): Promise<BigQuery> {
    this.bqClient ??= import('@google-cloud/bigquery').then(
      ({ BigQuery }) =>
        new BigQuery({
          ...this.options.client,
          projectId: this.options.projectId,
          location: this.options.location,
        }),
    );
    return this.bqClient;
  }

  private gcs(): Promise<Pick<AuthClient, 'request'>> {
    this.gcsClient ??= this.options.storageClient
      ? Promise.resolve(this.options.storageClient)
      : import('google-auth-library').then(({ GoogleAuth }) =>
          new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/devstorage.read_write'] }).getClient(),
        );
    return this.gcsClient;
  }

  private async run<T>(query: Query): Promise<{ rows: T[]; affected?: number }> {
    const bq = await this.bq();
    const [job] = await bq.createQueryJob({ ...query, location: this.options.location });
    const [rows, , response] = await job.getQueryResults();
    // DML reports its row count in the results response (and in the job's statistics once complete).
    const affected =
      response?.numDmlAffectedRows ?? job.metadata?.statistics?.query?.numDmlAffectedRows ?? undefined;
    return { rows: rows as T[], affected: affected === undefined ? undefined : Number(affected) };
  }

  private fq(name: string): string {
    return `\`${this.options.projectId}.${name}\``;
  }

  async refreshMaterializedView(view: string): Promise<void> {
    await this.run({ query: `CALL BQ.REFRESH_MATERIALIZED_VIEW('${this.options.projectId}.${view}')` });
  }

  async partitionDays(table: TableName, beforeDay: string): Promise<string[]> {
    const def = tableDefinition(table);
    // Partition metadata, not a table scan. HOUR partitions (YYYYMMDDHH) fold into their day.
    const { rows } = await this.run<{ partition_id: string }>({
      query: `SELECT partition_id FROM ${this.fq(`${def.dataset}.INFORMATION_SCHEMA.PARTITIONS`)}
              WHERE table_name = @table AND partition_id NOT IN ('__NULL__', '__UNPARTITIONED__')
                AND partition_id < @before AND total_rows > 0`,
      params: { table: def.table, before: beforeDay.replace(/-/g, '') },
    });
    const days = rows.map(
      (r) => `${r.partition_id.slice(0, 4)}-${r.partition_id.slice(4, 6)}-${r.partition_id.slice(6, 8)}`,
    );
    return [...new Set(days)].sort();
  }

  private dayFilter(p: PartitionDay): { where: string; params: Record<string, string> } {
    const column = partitionColumn(p.table);
    const { from, to } = dayBounds(p.day);
    return { where: `${column} >= TIMESTAMP(@from) AND ${column} < TIMESTAMP(@to)`, params: { from, to } };
  }

  async countRows(p: PartitionDay): Promise<number> {
    const { where, params } = this.dayFilter(p);
    const { rows } = await this.run<{ n: number }>({
      query: `SELECT COUNT(*) AS n FROM ${this.fq(p.table)} WHERE ${where}`,
      params,
    });
    return Number(rows[0]?.n ?? 0);
  }

  async exportPartition(p: PartitionDay, location: string): Promise<string[]> {
    const column = partitionColumn(p.table);
    const { from, to } = dayBounds(p.day);
    // EXPORT DATA takes literals; from/to are ISO timestamps produced by dayBounds, never caller text.
    await this.run({
      query: `EXPORT DATA OPTIONS (uri = 'gs://${this.options.stagingBucket}/${location}/part-*.parquet',
                format = 'PARQUET', compression = 'ZSTD', overwrite = true) AS
              SELECT * FROM ${this.fq(p.table)}
              WHERE ${column} >= TIMESTAMP('${from}') AND ${column} < TIMESTAMP('${to}')
              ORDER BY ${column}`,
    });
    const staged = await this.list(this.options.stagingBucket, `${location}/`);
    for (const o of staged) await this.copyToArchive(o);
    for (const o of staged) await this.deleteObject(this.options.stagingBucket, o.name);
    return staged.map((o) => o.name).sort();
  }

  async countArchivedRows(location: string): Promise<number> {
    const bq = await this.bq();
    const [job] = await bq.createQueryJob({
      query: 'SELECT COUNT(*) AS n FROM archived',
      location: this.options.location,
      tableDefinitions: {
        archived: {
          sourceFormat: 'PARQUET',
          sourceUris: [`gs://${this.options.archiveBucket}/${location}/*.parquet`],
        },
      },
    });
    const [rows] = await job.getQueryResults();
    return Number((rows[0] as { n?: number } | undefined)?.n ?? 0);
  }

  async markVerified(location: string, manifest: ArchiveManifest): Promise<void> {
    const gcs = await this.gcs();
    try {
      await gcs.request({
        url: `${this.storage().replace(/\/storage\/v1$/, '/upload/storage/v1')}/b/${this.options.archiveBucket}/o`,
        method: 'POST',
        params: { uploadType: 'media', name: `${location}/_VERIFIED.json`, ifGenerationMatch: 0 },
        headers: { 'content-type': 'application/json' },
        data: JSON.stringify(manifest),
      });
    } catch (err) {
      // A rerun after a crash finds its marker already written: the location was verified before.
      if ((err as { response?: { status?: number } }).response?.status !== 412) throw err;
    }
  }

  async deletePartition(p: PartitionDay): Promise<number> {
    const { where, params } = this.dayFilter(p);
    const { affected } = await this.run({ query: `DELETE FROM ${this.fq(p.table)} WHERE ${where}`, params });
    return affected ?? 0;
  }

  // ── Restore (ArchiveRestore): the operators' restore-archive command ──────────────────────────────────────────

  async verifiedArchives(p: PartitionDay): Promise<VerifiedArchive[]> {
    const [dataset, name] = p.table.split('.');
    dayBounds(p.day);
    const prefix = `${dataset}/${name}/dt=${p.day}/`;
    const markers = (await this.list(this.options.archiveBucket, prefix))
      .map((o) => ({ name: o.name, m: /attempt-(\d+)\/_VERIFIED\.json$/.exec(o.name) }))
      .filter((o) => o.m && o.name === `${prefix}attempt-${o.m[1]}/_VERIFIED.json`)
      .sort((a, b) => Number(a.m?.[1]) - Number(b.m?.[1]));
    const gcs = await this.gcs();
    const out: VerifiedArchive[] = [];
    for (const marker of markers) {
      const res = await gcs.request<ArchiveManifest | string>({
        url: `${this.storage()}/b/${this.options.archiveBucket}/o/${encodeURIComponent(marker.name)}`,
        params: { alt: 'media' },
      });
      const manifest = (typeof res.data === 'string' ? JSON.parse(res.data) : res.data) as ArchiveManifest;
      out.push({ location: marker.name.slice(0, -'/_VERIFIED.json'.length), manifest });
    }
    return out;
  }

  async prepareRestoreTable(table: TableName, into: string): Promise<void> {
    const target = restoreTableName(table, into);
    const bq = await this.bq();
    const dataset = bq.dataset(target.dataset);
    const [datasetExists] = await dataset.exists();
    if (!datasetExists) await bq.createDataset(target.dataset, { location: this.options.location });
    const t = dataset.table(target.table);
    const [exists] = await t.exists();
    if (!exists) await dataset.createTable(target.table, restoreTableMetadata(table));
    const [meta] = (await t.getMetadata()) as unknown as [
      { expirationTime?: string; timePartitioning?: { expirationMs?: string | number | null } },
    ];
    // A dataset default (default_partition_expiration_ms / default_table_expiration_ms) would be inherited here:
    // a restored 2024 partition in a table that expires partitions after 90 days is deleted on arrival.
    const expiry = meta.timePartitioning?.expirationMs;
    if (meta.expirationTime || (expiry !== undefined && expiry !== null && Number(expiry) > 0))
      throw new Error(
        `${into} expires ${meta.expirationTime ? 'the table' : `partitions after ${expiry} ms`}: ` +
          'restore into a table without expiration (remove it, or use a dataset without default expirations)',
      );
  }

  async restoreObjects(table: TableName, objects: string[], into: string): Promise<number> {
    const target = restoreTableName(table, into);
    if (objects.length === 0) return 0;
    const bq = await this.bq();
    const staging = `${target.table}__restore_staging`;
    // Load jobs append without de-duplication: load into a scratch table, then insert only the row ids not yet in
    // the target (MERGE), so a rerun adds nothing.
    const [job] = await bq.createJob(
      restoreLoadJob({
        projectId: this.options.projectId,
        location: this.options.location,
        bucket: this.options.archiveBucket,
        objects,
        dataset: target.dataset,
        table: staging,
      }),
    );
    try {
      await job.promise();
      const { affected } = await this.run({
        query: restoreMergeSql(table, this.fq(into), this.fq(`${target.dataset}.${staging}`)),
      });
      return affected ?? 0;
    } finally {
      await bq.dataset(target.dataset).table(staging).delete({ ignoreNotFound: true });
    }
  }

  async countRestoredRows(table: TableName, into: string, day: string): Promise<number> {
    restoreTableName(table, into);
    const { where, params } = this.dayFilter({ table, day });
    const { rows } = await this.run<{ n: number }>({
      query: `SELECT COUNT(*) AS n FROM ${this.fq(into)} WHERE ${where}`,
      params,
    });
    return Number(rows[0]?.n ?? 0);
  }

  private async list(bucket: string, prefix: string): Promise<GcsObject[]> {
    const gcs = await this.gcs();
    const out: GcsObject[] = [];
    let pageToken: string | undefined;
    do {
      const res = await gcs.request<{ items?: GcsObject[]; nextPageToken?: string }>({
        url: `${this.storage()}/b/${bucket}/o`,
        params: { prefix, fields: 'items(name,crc32c),nextPageToken', ...(pageToken ? { pageToken } : {}) },
      });
      out.push(...(res.data.items ?? []));
      pageToken = res.data.nextPageToken;
    } while (pageToken);
    return out;
  }

  private async copyToArchive(o: GcsObject): Promise<void> {
    const gcs = await this.gcs();
    const name = encodeURIComponent(o.name);
    const url = `${this.storage()}/b/${this.options.stagingBucket}/o/${name}/rewriteTo/b/${this.options.archiveBucket}/o/${name}`;
    let rewriteToken: string | undefined;
    try {
      do {
        const res = await gcs.request<{ done: boolean; rewriteToken?: string }>({
          url,
          method: 'POST',
          params: { ifGenerationMatch: 0, ...(rewriteToken ? { rewriteToken } : {}) },
        });
        rewriteToken = res.data.done ? undefined : res.data.rewriteToken;
      } while (rewriteToken);
    } catch (err) {
      if ((err as { status?: number; response?: { status?: number } }).response?.status !== 412) throw err;
      // Already archived by an earlier run: acceptable only if it is the same file.
      const existing = await gcs.request<GcsObject>({
        url: `${this.storage()}/b/${this.options.archiveBucket}/o/${name}`,
        params: { fields: 'name,crc32c' },
      });
      if (existing.data.crc32c !== o.crc32c)
        throw new Error(`gs://${this.options.archiveBucket}/${o.name} exists with different content`, {
          cause: err,
        });
    }
  }

  private async deleteObject(bucket: string, objectName: string): Promise<void> {
    const gcs = await this.gcs();
    await gcs.request({
      url: `${this.storage()}/b/${bucket}/o/${encodeURIComponent(objectName)}`,
      method: 'DELETE',
    });
  }

  private storage(): string {
    return this.options.storageEndpoint ?? STORAGE;
  }
}

function partitionColumn(table: TableName): string {
  const field = tableDefinition(table).partition?.field;
  if (!field) throw new Error(`${table} is not time-partitioned`);
  return field;
}

/** Checks an `into` name: dataset.table, never one of the (expiring) warehouse tables. */
function restoreTableName(table: TableName, into: string): { dataset: string; table: string } {
  tableDefinition(table);
  if (!/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(into)) throw new Error(`not a dataset.table name: ${into}`);
  if (WAREHOUSE_TABLES.some((t) => t.name === into))
    throw new Error(`${into} is a warehouse table: restore into a table of its own`);
  const [dataset, name] = into.split('.');
  return { dataset, table: name };
}

/**
 * The restore table: the source table's schema, partitioning and clustering, and NO expiration (no
 * timePartitioning.expirationMs, no expirationTime) — a restored old partition must not be dropped on arrival.
 */
export function restoreTableMetadata(table: TableName): {
  schema: { fields: ReturnType<typeof bigQuerySchema> };
  timePartitioning?: { type: 'DAY' | 'HOUR'; field: string };
  clustering?: { fields: string[] };
  description: string;
} {
  const def = tableDefinition(table);
  return {
    schema: { fields: bigQuerySchema(def) },
    ...(def.partition ? { timePartitioning: { type: def.partition.type, field: def.partition.field } } : {}),
    ...(def.cluster.length ? { clustering: { fields: def.cluster } } : {}),
    description: `Restored from the cold archive of ${table} (npm run restore-archive); partitions never expire.`,
  };
}

/** The load job of archived Parquet objects into an unpartitioned scratch table (replaced on every load). */
export function restoreLoadJob(o: {
  projectId: string;
  location?: string;
  bucket: string;
  objects: string[];
  dataset: string;
  table: string;
}): {
  location?: string;
  configuration: {
    load: {
      sourceUris: string[];
      sourceFormat: 'PARQUET';
      destinationTable: { projectId: string; datasetId: string; tableId: string };
      createDisposition: 'CREATE_IF_NEEDED';
      writeDisposition: 'WRITE_TRUNCATE';
    };
  };
} {
  return {
    ...(o.location ? { location: o.location } : {}),
    configuration: {
      load: {
        sourceUris: o.objects.map((name) => `gs://${o.bucket}/${name}`),
        sourceFormat: 'PARQUET',
        destinationTable: { projectId: o.projectId, datasetId: o.dataset, tableId: o.table },
        createDisposition: 'CREATE_IF_NEEDED',
        writeDisposition: 'WRITE_TRUNCATE',
      },
    },
  };
}

/** Inserts the scratch table's rows whose row id the restore table does not hold yet. */
export function restoreMergeSql(table: TableName, into: string, staging: string): string {
  const def = tableDefinition(table);
  const cols = def.columns.map((c) => `\`${c.name}\``).join(', ');
  const id = `\`${def.rowIdColumn}\``;
  return `MERGE ${into} T USING ${staging} S ON T.${id} = S.${id}
WHEN NOT MATCHED THEN INSERT (${cols}) VALUES (${def.columns.map((c) => `S.\`${c.name}\``).join(', ')})`;
}
