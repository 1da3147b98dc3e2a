import type { TableName } from '../contracts/warehouse-tables';

/** One UTC day of a time-partitioned table: the unit that is archived, verified and deleted. */
export interface PartitionDay {
  table: TableName;
  /** YYYY-MM-DD (UTC). */
  day: string;
}

/**
 * Housekeeping of the analytical store, beside the Warehouse port: BigQuery in production (materialized-view
 * refresh, EXPORT DATA to Cloud Storage, DML deletes), DuckDB plus a local folder of Parquet files locally.
 */
export interface WarehouseMaintenance {
  /** Brings a materialized view up to date with its base table (BigQuery: CALL BQ.REFRESH_MATERIALIZED_VIEW). */
  refreshMaterializedView(view: string): Promise<void>;
  /** Days of a partitioned table strictly before `beforeDay` (YYYY-MM-DD) that hold rows. */
  partitionDays(table: TableName, beforeDay: string): Promise<string[]>;
  /** Exact number of rows of one day, counted in the source table. */
  countRows(p: PartitionDay): Promise<number>;
  /**
   * Writes every row of one day as Parquet under `location` (a relative, deterministic prefix) in the cold
   * archive; returns the archived objects. Rewriting the same location is allowed until it is verified.
   */
  exportPartition(p: PartitionDay, location: string): Promise<string[]>;
  /** Row count re-read from the archived Parquet files under `location`. */
  countArchivedRows(location: string): Promise<number>;
  /**
   * Writes `<location>/_VERIFIED.json` beside the verified files, so the archive itself says which attempt of a day
   * is complete (readers take the one with the marker). Writing the same marker again is accepted.
   */
  markVerified(location: string, manifest: ArchiveManifest): Promise<void>;
  /** Deletes one day's rows from the source table; returns how many were deleted. */
  deletePartition(p: PartitionDay): Promise<number>;
}

/** The marker of a verified archive location. */
export interface ArchiveManifest {
  table: TableName;
  day: string;
  rows: number;
  objects: string[];
  format: 'parquet';
  verifiedAt: string;
}

/** One verified archive location of a day: the folder with `_VERIFIED.json`, and what that marker says. */
export interface VerifiedArchive {
  location: string;
  manifest: ArchiveManifest;
}

/**
 * Reading the cold archive back into the warehouse (the operators' `npm run restore-archive`): BigQuery load jobs
 * from the archive bucket in production, DuckDB's read_parquet over the archive folder locally. The target table is
 * never a hot table: it is created with the source table's columns and partitioning but NO partition expiration,
 * or BigQuery would drop a restored old partition on arrival.
 */
export interface ArchiveRestore {
  /** Verified locations (with `_VERIFIED.json`) of one day of a table, by attempt, ascending. */
  verifiedArchives(p: PartitionDay): Promise<VerifiedArchive[]>;
  /** Row count re-read from the archived Parquet files under `location`. */
  countArchivedRows(location: string): Promise<number>;
  /**
   * Creates `into` (dataset.table) with `table`'s columns, partitioning and row id and no expiration, if missing;
   * throws if an existing `into` expires partitions or the table.
   */
  prepareRestoreTable(table: TableName, into: string): Promise<void>;
  /** Loads the archived objects into `into`, skipping row ids already there; resolves with the rows added. */
  restoreObjects(table: TableName, objects: string[], into: string): Promise<number>;
  /** Rows of one UTC day in `into` (by `table`'s partitioning column). */
  countRestoredRows(table: TableName, into: string, day: string): Promise<number>;
}
