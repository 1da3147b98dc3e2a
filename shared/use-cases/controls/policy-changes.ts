/**
 * A policy change's warehouse row, written by riskAdmin after the change and its audit entry commit. Kept apart
 * from the other announcements so that only the function that changes policies names (and is granted) the
 * table.
 */
import type { TableRows } from '../../contracts/schema-types';
import type { RiskPolicy } from '../../domain/controls/policy';
import { tryTimes, type AnnounceDeps } from './announcements';

export type PolicyChangeRow = TableRows['risk.policy_changes'];

export interface PolicyAuditEntry {
  [key: string]: unknown;
  auditId: string;
  policyId: string;
  version: number;
  actor: string;
  reason: string;
  at: string;
  before: RiskPolicy | null;
  after: RiskPolicy;
}

export function policyChangeRow(e: PolicyAuditEntry, scopeKey: string): PolicyChangeRow {
  return {
    change_id: e.auditId,
    policy_id: e.policyId,
    version: e.version,
    previous_version: e.before?.version ?? null,
    scope_key: scopeKey,
    changed_by: e.actor,
    reason: e.reason,
    before_json: e.before ? JSON.stringify(e.before) : null,
    after_json: JSON.stringify(e.after),
    changed_at: e.at,
  };
}

/** The policy change's warehouse row (the table is named here, literally, so the grant checks can see it). */
export async function recordPolicyChange(
  deps: AnnounceDeps,
  entry: PolicyAuditEntry,
  scopeKey: string,
): Promise<boolean> {
  return tryTimes(deps, 'risk.policy_changes insert', entry.auditId, () =>
    deps.warehouse.insert('risk.policy_changes', [policyChangeRow(entry, scopeKey)]),
  );
}
