import { caseMetricsOf, nearestRank, type CaseSummaryRow } from '../../../shared/domain/cases/metrics';

const NOW = new Date('2026-12-04T12:00:00.000Z');
const h = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

function row(p: Partial<CaseSummaryRow> & { caseId: string }): CaseSummaryRow {
  return {
    openedAt: h(10),
    firstTouchAt: null,
    decidedAt: null,
    state: 'open',
    outcome: null,
    dueAt: h(-14),
    rules: [],
    ...p,
  };
}

describe('case metrics', () => {
  it('takes nearest-rank percentiles', () => {
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(nearestRank([7], 0.9)).toBe(7);
    expect(nearestRank([], 0.5)).toBeNull();
  });

  it('counts the open backlog by age, with its bucket edges, and what is overdue', () => {
    const m = caseMetricsOf(
      [
        row({ caseId: 'a', openedAt: h(3.99) }),
        row({ caseId: 'b', openedAt: h(4) }),
        row({ caseId: 'c', openedAt: h(24), dueAt: h(0) }),
        row({ caseId: 'd', openedAt: h(80), state: 'investigating', dueAt: h(8) }),
        row({ caseId: 'e', state: 'closed', decidedAt: h(1), outcome: 'sar_filed' }),
      ],
      NOW,
    );
    expect(m.backlog).toEqual({
      total: 4,
      overdue: 2,
      byAge: [
        { bucket: 'under_4h', count: 1 },
        { bucket: '4h_to_24h', count: 1 },
        { bucket: '1d_to_3d', count: 1 },
        { bucket: 'over_3d', count: 1 },
      ],
    });
  });

  it('measures time to first touch and to decision, false positives per rule and decisions within SLA', () => {
    const m = caseMetricsOf(
      [
        row({
          caseId: 'a',
          openedAt: h(10),
          firstTouchAt: h(9),
          decidedAt: h(8),
          state: 'closed',
          outcome: 'cleared_false_positive',
          dueAt: h(6),
          rules: ['structuring.24h'],
        }),
        row({
          caseId: 'b',
          openedAt: h(10),
          firstTouchAt: h(7),
          decidedAt: h(2),
          state: 'closed',
          outcome: 'sar_filed',
          dueAt: h(6),
          rules: ['structuring.24h', 'large.ctr'],
        }),
        row({ caseId: 'c', openedAt: h(10), firstTouchAt: h(6), state: 'investigating' }),
      ],
      NOW,
    );
    expect(m.timeToFirstTouch).toEqual({ count: 3, p50Hours: 3, p90Hours: 4 });
    expect(m.timeToDecision).toEqual({ count: 2, p50Hours: 2, p90Hours: 8 });
    expect(m.falsePositiveRateByRule).toEqual([
      { ruleId: 'large.ctr', decided: 1, falsePositives: 0, rate: 0 },
      { ruleId: 'structuring.24h', decided: 2, falsePositives: 1, rate: 0.5 },
    ]);
    // b was decided 4 h after its deadline.
    expect(m.decidedWithinSla).toEqual({ decided: 2, withinSla: 1, share: 0.5 });
  });

  it('reports no share when nothing was decided', () => {
    expect(caseMetricsOf([], NOW).decidedWithinSla).toEqual({ decided: 0, withinSla: 0, share: null });
  });
});
