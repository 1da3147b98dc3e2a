/** complianceCases' metrics: read from the warehouse's per-case view, folded by the domain. */
import type { SchemaTypes } from '../../contracts/schema-types';
import { caseMetricsOf, type CaseSummaryRow } from '../../domain/cases/metrics';
import type { Warehouse } from '../../ports/warehouse';
import { warehouseTimestamp } from '../../platform/warehouse-rows';

export type CaseMetrics = SchemaTypes['api/case-metrics'];

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : warehouseTimestamp(v));

const SQL =
  'SELECT case_id, opened_at, first_touch_at, decided_at, state, outcome, due_at, rules ' +
  'FROM compliance.case_summary WHERE opened_at >= CAST(@since AS TIMESTAMP) OR state <> @closed';

/** Cases opened in the last `days` days, and every case still undecided whenever it opened. */
export async function caseMetrics(warehouse: Warehouse, now: Date, days: number): Promise<CaseMetrics> {
  const since = new Date(now.getTime() - days * 86_400_000).toISOString();
  const raw = await warehouse.query<Record<string, unknown>>(SQL, { since, closed: 'closed' });
  const rows: CaseSummaryRow[] = raw.map((r) => ({
    caseId: String(r.case_id),
    openedAt: iso(r.opened_at) as string,
    firstTouchAt: iso(r.first_touch_at),
    decidedAt: iso(r.decided_at),
    state: String(r.state),
    outcome: r.outcome === null || r.outcome === undefined ? null : String(r.outcome),
    dueAt: iso(r.due_at),
    rules: typeof r.rules === 'string' && r.rules !== '' ? r.rules.split(',') : [],
  }));
  return { asOf: now.toISOString(), windowDays: days, ...caseMetricsOf(rows, now) };
}
