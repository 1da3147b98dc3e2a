/**
 * The warehouse mirror of case trails (compliance.case_events). Each event's row is queued in Firestore in the
 * transaction that writes the event; inserting it (row id = event id, so a repeat is harmless) and then deleting
 * the queued copy is all a flush does. The rows carry the case's state after the event, so the warehouse folds the
 * service-level metrics from the mirror alone (compliance.case_summary).
 */
import { FIRESTORE_COLLECTIONS } from '../../contracts/firestore';
import type { TableRows } from '../../contracts/schema-types';
import type { CaseStatus } from '../../domain/cases/case-state';
import type { TrailEvent } from '../../domain/cases/trail';
import type { DocumentData, DocumentStore } from '../../ports/document-store';
import type { Warehouse } from '../../ports/warehouse';

export type CaseEventRow = TableRows['compliance.case_events'];

const MIRROR = FIRESTORE_COLLECTIONS.cases.mirror;

interface CaseState {
  subjectId: string;
  status: CaseStatus;
  severity: string;
  dueAt: string;
  rules: string[];
}

export function mirrorRowOf(eventId: string, e: TrailEvent, c: CaseState): CaseEventRow {
  return {
    event_id: eventId,
    case_id: e.caseId,
    subject_id: c.subjectId,
    seq: e.seq,
    actor: e.actor,
    action: e.action,
    reason_code: e.reasonCode,
    before_json: JSON.stringify(e.before ?? null),
    after_json: JSON.stringify(e.after ?? null),
    request_id: e.requestId,
    at: e.at,
    prev_hash: e.prevHash,
    hash: e.hash,
    case_state: c.status.state,
    case_outcome: c.status.outcome,
    case_severity: c.severity,
    case_due_at: c.dueAt,
    case_rules: c.rules.length ? c.rules.join(',') : null,
  };
}

export interface MirrorDeps {
  store: DocumentStore;
  warehouse: Warehouse;
}

/** Inserts the rows, then forgets their queued copies. */
export async function flushCaseMirror(deps: MirrorDeps, rows: CaseEventRow[]): Promise<void> {
  if (rows.length === 0) return;
  await deps.warehouse.insert('compliance.case_events', rows);
  await deps.store.runTransaction(async (tx) => {
    for (const r of rows) tx.delete(MIRROR, r.event_id);
  });
}

/** Mirrors every queued row (those a failed insert left behind); returns how many. */
export async function sweepCaseMirror(deps: MirrorDeps, batch = 500): Promise<number> {
  const queued = await deps.store.query<CaseEventRow & DocumentData>(MIRROR, []);
  const rows = queued.map((d) => d.data).sort((a, b) => a.event_id.localeCompare(b.event_id));
  for (let i = 0; i < rows.length; i += batch) await flushCaseMirror(deps, rows.slice(i, i + batch));
  return rows.length;
}
