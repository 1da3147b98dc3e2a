/**
 * The archive state of one (table, day) partition, kept in the document store so that a crashed or repeated run
 * resumes where the last one stopped:
 *
 *   (none) ─▶ exporting ─export─▶ exported ─re-read row counts match─▶ verified ─delete source─▶ deleted
 *                 ▲                    │ counts differ
 *                 └────────────────────┘ (next attempt, under a new location)
 *
 * Source rows are deleted only from `verified`. Every attempt is recorded (`exporting`) before it writes, under its
 * own deterministic location, so a retry after a crash mid-export never writes over files that a retention-locked
 * bucket may already hold: it starts the next attempt.
 */
import { FIRESTORE_COLLECTIONS } from '../../contracts/firestore';
import type { TableName } from '../../contracts/warehouse-tables';

export const ARCHIVE_COLLECTION = FIRESTORE_COLLECTIONS.archive.partitions;

export type ArchiveState = 'exporting' | 'exported' | 'verified' | 'deleted';

export interface PartitionArchiveRecord extends Record<string, unknown> {
  table: TableName;
  day: string;
  state: ArchiveState;
  attempt: number;
  location: string;
  sourceRows: number;
  archivedRows?: number;
  objects: string[];
  deletedRows?: number;
  updatedAt: string;
}

const DAY_MS = 86_400_000;

export function utcDay(t: Date): string {
  return t.toISOString().slice(0, 10);
}

/** Days strictly before this one are past the hot window: `now` minus archiveAfterDays, as a UTC day. */
export function archiveCutoffDay(now: Date, archiveAfterDays: number): string {
  return utcDay(new Date(now.getTime() - archiveAfterDays * DAY_MS));
}

/** The UTC bounds [from, to) of a calendar day given as YYYY-MM-DD; throws on anything else. */
export function dayBounds(day: string): { from: string; to: string } {
  const from = new Date(`${day}T00:00:00Z`);
  // Reading back as itself refuses any other shape and a day that does not exist (2021-02-29 parses as the next);
  // only an extended year (+010000-01) reads back as itself, hence the four-digit year.
  if (!/^\d{4}-/.test(day) || Number.isNaN(from.getTime()) || utcDay(from) !== day)
    throw new Error(`not a day: ${day}`);
  return { from: from.toISOString(), to: new Date(from.getTime() + DAY_MS).toISOString() };
}

export const recordId = (table: TableName, day: string): string => `${table}@${day}`;

/** Deterministic, Hive-style location of one export attempt: <dataset>/<table>/dt=<day>/attempt-<n>. */
export function archiveLocation(table: TableName, day: string, attempt: number): string {
  const [dataset, name] = table.split('.');
  return `${dataset}/${name}/dt=${day}/attempt-${attempt}`;
}

export type NextStep = 'export' | 'verify' | 'delete' | 'done';

export function nextStep(record: PartitionArchiveRecord | undefined): NextStep {
  switch (record?.state) {
    case undefined:
    case 'exporting':
      return 'export';
    case 'exported':
      return 'verify';
    case 'verified':
      return 'delete';
    case 'deleted':
      return 'done';
  }
}

/** An export is verified when the archive holds exactly the rows the source held at export and still holds now. */
export function countsMatch(exportedFrom: number, archived: number, sourceNow: number): boolean {
  return archived === exportedFrom && sourceNow === exportedFrom;
}
