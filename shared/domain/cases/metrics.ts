/**
 * Service-level metrics of compliance cases, folded from one row per case (the warehouse's compliance.case_summary):
 * the open backlog by age, time to first touch and to decision (p50/p90), the false-positive rate per rule and the
 * share decided within the deadline. Pure.
 */
export interface CaseSummaryRow {
  caseId: string;
  openedAt: string;
  firstTouchAt: string | null;
  decidedAt: string | null;
  state: string;
  outcome: string | null;
  dueAt: string | null;
  rules: string[];
}

export const AGE_BUCKETS = [
  { bucket: 'under_4h', maxHours: 4 },
  { bucket: '4h_to_24h', maxHours: 24 },
  { bucket: '1d_to_3d', maxHours: 72 },
  { bucket: 'over_3d', maxHours: Infinity },
] as const;

export interface Quantiles {
  count: number;
  p50Hours: number | null;
  p90Hours: number | null;
}

export interface CaseMetricsFigures {
  backlog: {
    total: number;
    overdue: number;
    byAge: { bucket: (typeof AGE_BUCKETS)[number]['bucket']; count: number }[];
  };
  timeToFirstTouch: Quantiles;
  timeToDecision: Quantiles;
  falsePositiveRateByRule: { ruleId: string; decided: number; falsePositives: number; rate: number }[];
  decidedWithinSla: { decided: number; withinSla: number; share: number | null };
}

const HOUR = 3_600_000;

/** Nearest-rank quantile of sorted values (the smallest value with at least q of the values at or below it). */
export function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function quantiles(hours: number[]): Quantiles {
  const s = [...hours].sort((a, b) => a - b);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
  return { count: s.length, p50Hours: round(nearestRank(s, 0.5)), p90Hours: round(nearestRank(s, 0.9)) };
}

const hoursBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / HOUR;

export function caseMetricsOf(rows: readonly CaseSummaryRow[], now: Date): CaseMetricsFigures {
  const open = rows.filter((r) => r.state !== 'closed');
  const decided = rows.filter((r) => r.state === 'closed' && r.decidedAt !== null);
  const byAge = AGE_BUCKETS.map((b, i) => ({
    bucket: b.bucket,
    count: open.filter((r) => {
      const age = (now.getTime() - Date.parse(r.openedAt)) / HOUR;
      return age < b.maxHours && (i === 0 || age >= AGE_BUCKETS[i - 1].maxHours);
    }).length,
  }));
  const perRule = new Map<string, { decided: number; falsePositives: number }>();
  for (const r of decided)
    for (const rule of r.rules) {
      const m = perRule.get(rule) ?? { decided: 0, falsePositives: 0 };
      m.decided++;
      if (r.outcome === 'cleared_false_positive') m.falsePositives++;
      perRule.set(rule, m);
    }
  const withDeadline = decided.filter((r) => r.dueAt !== null);
  const within = withDeadline.filter(
    (r) => Date.parse(r.decidedAt as string) < Date.parse(r.dueAt as string),
  );
  return {
    backlog: {
      total: open.length,
      overdue: open.filter((r) => r.dueAt !== null && now.getTime() >= Date.parse(r.dueAt)).length,
      byAge,
    },
    timeToFirstTouch: quantiles(
      rows
        .filter((r) => r.firstTouchAt !== null)
        .map((r) => hoursBetween(r.openedAt, r.firstTouchAt as string)),
    ),
    timeToDecision: quantiles(decided.map((r) => hoursBetween(r.openedAt, r.decidedAt as string))),
    falsePositiveRateByRule: [...perRule]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([ruleId, m]) => ({
        ruleId,
        ...m,
        rate: Math.round((m.falsePositives / m.decided) * 10000) / 10000,
      })),
    decidedWithinSla: {
      decided: withDeadline.length,
      withinSla: within.length,
      share: withDeadline.length ? Math.round((within.length / withDeadline.length) * 10000) / 10000 : null,
    },
  };
}
