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
