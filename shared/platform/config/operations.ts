/**
 * Configuration of the operations functions (view refresh, cold archival), read once per cold start in the same
 * all-problems-at-once style as config.ts. Terraform sets these from the warehouse and archive modules.
 */
import retention from '../../contracts/retention.json';
import { ConfigError, environmentOf, integer } from './runtime';

export interface OperationsConfig {
  /** Days a BigQuery partition lives before it expires (the table's partition expiration). */
  hotRetentionDays: number;
  /** Partitions older than this are archived; kept well below hotRetentionDays so nothing expires unarchived. */
  archiveAfterDays: number;
  /** Export attempts per partition before it is left for an operator. */
  maxExportAttempts: number;
  /** Cloud Storage cold archive (retention policy, possibly locked). Required outside local. */
  archiveBucket?: string;
  /** Un-locked bucket BigQuery exports into before the files are copied to the archive. Required outside local. */
  archiveStagingBucket?: string;
  /** Local archive folder (DuckDB warehouse writes Parquet files here). */
  localArchiveDir: string;
}

/**
 * Daily runs between the archive lag and expiry, so a failing archive job can be noticed and fixed. The numbers
 * live in shared/contracts/retention.json, which Terraform reads for partition expiration and these variables.
 */
export const MIN_ARCHIVE_MARGIN_DAYS: number = retention.minArchiveMarginDays;

export function readOperationsConfig(env: NodeJS.ProcessEnv = process.env): OperationsConfig {
  const problems: string[] = [];
  const local = environmentOf(env, problems) === 'local';
  const hotRetentionDays = integer(env, 'HOT_RETENTION_DAYS', retention.hotRetentionDays, 1, 3650, problems);
  const archiveAfterDays = integer(env, 'ARCHIVE_AFTER_DAYS', retention.archiveAfterDays, 1, 3650, problems);
  if (archiveAfterDays + MIN_ARCHIVE_MARGIN_DAYS > hotRetentionDays)
    problems.push(
      `ARCHIVE_AFTER_DAYS (${archiveAfterDays}) must be at least ${MIN_ARCHIVE_MARGIN_DAYS} days below HOT_RETENTION_DAYS (${hotRetentionDays}), or partitions expire before they are archived`,
    );
  const archiveBucket = env.ARCHIVE_BUCKET || undefined;
  const archiveStagingBucket = env.ARCHIVE_STAGING_BUCKET || undefined;
  if (!local && env.WAREHOUSE !== 'duckdb') {
    if (!archiveBucket) problems.push('ARCHIVE_BUCKET is not set');
    if (!archiveStagingBucket) problems.push('ARCHIVE_STAGING_BUCKET is not set');
  }
  const config: OperationsConfig = {
    hotRetentionDays,
    archiveAfterDays,
    maxExportAttempts: integer(env, 'ARCHIVE_MAX_EXPORT_ATTEMPTS', 3, 1, 20, problems),
    archiveBucket,
    archiveStagingBucket,
    localArchiveDir: env.LOCAL_ARCHIVE_DIR || '.local/archive',
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
