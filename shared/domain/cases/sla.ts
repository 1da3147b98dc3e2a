/**
 * Service levels of compliance cases: a deadline per severity, counted from the moment a concern of that
 * severity reached the case (a CRITICAL alert joining an old WARNING case brings its own, shorter deadline; a
 * milder one never extends it). A case is at risk once most of its time is used and breached at the deadline
 * itself. Pure.
 */
export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';
export const SEVERITIES: readonly Severity[] = ['INFO', 'WARNING', 'CRITICAL'];
export const SEVERITY_RANK: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

export interface SlaPolicy {
  /** Time to a decision, per severity. */
  deadlineMs: Record<Severity, number>;
  /** The share of a deadline after which the case is at risk (0.75: the last quarter). */
  atRiskAfter: number;
}

const HOUR = 3_600_000;
export const DEFAULT_SLA: SlaPolicy = {
  deadlineMs: { CRITICAL: 4 * HOUR, WARNING: 24 * HOUR, INFO: 72 * HOUR },
  atRiskAfter: 0.75,
};

export interface SlaClock {
  /** When the case must be decided by. */
  dueAt: string;
  /** When it becomes at risk. */
  atRiskAt: string;
}

/** The deadline a concern of `severity` raised at `at` brings, kept only if it is earlier than `current`. */
export function tightenSla(
  current: SlaClock | null,
  severity: Severity,
  at: string,
  policy: SlaPolicy = DEFAULT_SLA,
): SlaClock {
  const start = Date.parse(at);
  const deadline = policy.deadlineMs[severity];
  const due = start + deadline;
  if (current && Date.parse(current.dueAt) <= due) return current;
  return {
    dueAt: new Date(due).toISOString(),
    atRiskAt: new Date(start + Math.round(deadline * policy.atRiskAfter)).toISOString(),
  };
}

export type SlaState = 'ok' | 'at_risk' | 'breached';
export const SLA_RANK: Record<SlaState, number> = { ok: 0, at_risk: 1, breached: 2 };

/** An undecided case's service-level state at `now`: breached from the deadline itself on. */
export function slaStateAt(sla: SlaClock, now: Date): SlaState {
  const t = now.getTime();
  if (t >= Date.parse(sla.dueAt)) return 'breached';
  if (t >= Date.parse(sla.atRiskAt)) return 'at_risk';
  return 'ok';
}

/** Reads CASE_SLA_HOURS-style text: `CRITICAL=4,WARNING=24,INFO=72` (hours, any subset; the rest default). */
export function parseSlaHours(text: string, problems: string[]): SlaPolicy['deadlineMs'] {
  const out = { ...DEFAULT_SLA.deadlineMs };
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [k, v, extra] = part.split('=');
    const hours = Number(v);
    if (
      extra !== undefined ||
      !(SEVERITIES as readonly string[]).includes(k) ||
      !(hours > 0 && hours <= 24 * 365)
    )
      problems.push(`'${part}' is not SEVERITY=hours (hours in (0, 8760])`);
    else out[k as Severity] = hours * HOUR;
  }
  return out;
}
