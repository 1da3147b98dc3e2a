/**
 * archiveColdData: moves every partition (UTC day) of every hot table that is older than the archive lag into the
 * cold archive as Parquet, and deletes it from the warehouse only once the archived files have been re-read and
 * hold exactly the partition's rows. Each partition advances through exported → verified → deleted, recorded in the
 * document store after every step, so a run that crashes midway is simply run again: it resumes each partition at
 * its recorded state (an export cut short starts a new attempt under a new location), and a partition already
 * deleted is skipped.
 */
import { tableDefinition, type TableName } from '../contracts/warehouse-tables';
import {
  ARCHIVE_COLLECTION,
  archiveCutoffDay,
  archiveLocation,
  countsMatch,
  nextStep,
  recordId,
  type NextStep,
  type PartitionArchiveRecord,
} from '../domain/archive/partition-archive';
import type { Clock } from '../ports/clock';
import type { DocumentStore } from '../ports/document-store';
import type { Logger } from '../ports/logger';
import type { PartitionDay, WarehouseMaintenance } from '../ports/warehouse-maintenance';

export interface ArchiveColdDataConfig {
  /** Partitions whose day is older than this many days are archived (must stay below the partition expiration). */
  archiveAfterDays: number;
  /**
   * The hot tables: every time-partitioned warehouse table. One whose partitions never expire (x-expire-partitions:
   * false in its row schema, e.g. compliance.case_events) is skipped: it stays whole in the warehouse.
   */
  tables: readonly TableName[];
  /** Export attempts per partition before it is left for an operator. */
  maxAttempts: number;
}

export interface ArchiveColdDataDeps {
  store: DocumentStore;
  maintenance: WarehouseMaintenance;
  clock: Clock;
  logger: Logger;
  config: ArchiveColdDataConfig;
}

export interface PartitionOutcome {
  table: TableName;
  day: string;
  /** archived: deleted from the warehouse in this run; already-archived: nothing left to do; failed: left as is. */
  result: 'archived' | 'already-archived' | 'failed';
  rows: number;
  location?: string;
  objects: string[];
  /** Steps this run performed, in order (e.g. export, verify, delete). */
  steps: NextStep[];
  reason?: string;
}

export interface ArchiveColdDataOutcome {
  cutoffDay: string;
  partitions: PartitionOutcome[];
  archivedRows: number;
  failed: number;
}

export async function archiveColdData(deps: ArchiveColdDataDeps): Promise<ArchiveColdDataOutcome> {
  const cutoffDay = archiveCutoffDay(deps.clock.now(), deps.config.archiveAfterDays);
  const partitions: PartitionOutcome[] = [];
  // Archiving deletes what it archived: a table whose partitions never expire must keep every row in the warehouse.
  const tables = deps.config.tables.filter((t) => tableDefinition(t).expirePartitions);
  for (const table of tables) {
    // Days with rows past the window, plus any partition a previous run left midway (its rows may be gone).
    const days = new Set(await deps.maintenance.partitionDays(table, cutoffDay));
    const pending = await deps.store.query<PartitionArchiveRecord>(ARCHIVE_COLLECTION, [
      { field: 'table', op: '==', value: table },
    ]);
    for (const doc of pending) if (doc.data.state !== 'deleted') days.add(doc.data.day);
    for (const day of [...days].sort()) partitions.push(await archivePartition(deps, { table, day }));
  }
  const archived = partitions.filter((p) => p.result === 'archived');
  return {
    cutoffDay,
    partitions,
    archivedRows: archived.reduce((n, p) => n + p.rows, 0),
    failed: partitions.filter((p) => p.result === 'failed').length,
  };
}

async function archivePartition(deps: ArchiveColdDataDeps, p: PartitionDay): Promise<PartitionOutcome> {
  const { store, maintenance, logger } = deps;
  const id = recordId(p.table, p.day);
  let record = await store.get<PartitionArchiveRecord>(ARCHIVE_COLLECTION, id);
  const steps: NextStep[] = [];
  const outcome = (result: PartitionOutcome['result'], reason?: string): PartitionOutcome => ({
    ...p,
    result,
    rows: record?.sourceRows ?? 0,
    location: record?.location,
    objects: record?.objects ?? [],
    steps,
    ...(reason ? { reason } : {}),
  });
  const save = async (next: PartitionArchiveRecord) => {
    record = { ...next, updatedAt: deps.clock.now().toISOString() };
    await store.set(ARCHIVE_COLLECTION, id, record);
  };

  try {
    let step = nextStep(record);
    if (step === 'done') {
      const left = await maintenance.countRows(p);
      // Rows written into a day after it was archived and deleted: never delete them unarchived.
      return left === 0
        ? outcome('already-archived')
        : outcome('failed', `${left} row(s) arrived after the partition was archived`);
    }
    for (;;) {
      steps.push(step);
      if (step === 'export') {
        const attempt = (record?.attempt ?? 0) + 1;
        if (attempt > deps.config.maxAttempts)
          return outcome('failed', `no verified export after ${deps.config.maxAttempts} attempts`);
        const sourceRows = await maintenance.countRows(p);
        if (sourceRows === 0 && !record) return outcome('already-archived');
        const location = archiveLocation(p.table, p.day, attempt);
        await save({ ...p, state: 'exporting', attempt, location, sourceRows, objects: [], updatedAt: '' });
        const objects = await maintenance.exportPartition(p, location);
        await save({ ...p, state: 'exported', attempt, location, sourceRows, objects, updatedAt: '' });
        step = 'verify';
      } else if (step === 'verify' && record) {
        const archived = await maintenance.countArchivedRows(record.location);
        const sourceNow = await maintenance.countRows(p);
        if (countsMatch(record.sourceRows, archived, sourceNow)) {
          await maintenance.markVerified(record.location, {
            table: p.table,
            day: p.day,
            rows: archived,
            objects: record.objects,
            format: 'parquet',
            verifiedAt: deps.clock.now().toISOString(),
          });
          await save({ ...record, state: 'verified', archivedRows: archived });
          step = 'delete';
        } else {
          logger.warn('archive verification failed; exporting again', {
            table: p.table,
            day: p.day,
            attempt: record.attempt,
            sourceRows: record.sourceRows,
            archivedRows: archived,
            sourceRowsNow: sourceNow,
          });
          step = 'export';
        }
      } else if (step === 'delete' && record) {
        const sourceNow = await maintenance.countRows(p);
        if (sourceNow !== 0 && sourceNow !== record.sourceRows) {
          // Rows changed after verification: the verified files no longer cover the day. Export a new snapshot.
          step = 'export';
          continue;
        }
        // 0 left means a previous run deleted them and stopped before recording it.
        const deletedRows = sourceNow === 0 ? 0 : await maintenance.deletePartition(p);
        await save({ ...record, state: 'deleted', deletedRows });
        logger.info('partition archived', {
          table: p.table,
          day: p.day,
          rows: record.sourceRows,
          location: record.location,
        });
        return outcome('archived');
      } else {
        return outcome('failed', `inconsistent archive record at step ${step}`);
      }
    }
  } catch (err) {
    logger.error('partition archival failed; the next run resumes it', {
      table: p.table,
      day: p.day,
      state: record?.state ?? 'none',
      error: err,
    });
    return outcome('failed', err instanceof Error ? err.message : String(err));
  }
}
