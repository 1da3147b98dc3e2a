/**
 * Case metrics edges beyond metrics.test.ts: bucket and deadline boundaries, closed cases without a decision time,
 * numeric (not text) ordering of durations, and the rounding of rates a compliance lead reads.
 */
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
    dueAt: null,
    rules: [],
    ...p,
  };
}
const closedRow = (caseId: string, p: Partial<CaseSummaryRow>) =>
  row({ caseId, state: 'closed', decidedAt: h(1), outcome: 'kyc_approved', ...p });

describe('case metrics edges', () => {
  it('takes the smallest value for q = 0 and the largest for q = 1 or more', () => {
    expect(nearestRank([1, 2, 3], 0)).toBe(1);
    expect(nearestRank([1, 2, 3], 1)).toBe(3);
    expect(nearestRank([1, 2, 3], 1.5)).toBe(3);
    expect(nearestRank([1, 2, 3, 4], 0.5)).toBe(2);
    expect(nearestRank([1, 2, 3, 4], 0.51)).toBe(3);
  });

  it('puts a case open exactly 72 h in the oldest bucket, and one stamped ahead of our clock in the newest', () => {
    const m = caseMetricsOf(
      [
        row({ caseId: 'a', openedAt: h(0) }),
        row({ caseId: 'b', openedAt: h(23.999) }),
        row({ caseId: 'c', openedAt: h(71.999) }),
        row({ caseId: 'd', openedAt: h(72) }),
        row({ caseId: 'e', openedAt: h(-1) }),
      ],
      NOW,
    );
    // Every open case is in exactly one bucket.
    expect(m.backlog.byAge.map((b) => b.count)).toEqual([2, 1, 1, 1]);
    expect(m.backlog.total).toBe(5);
  });

  it('counts a case overdue from its deadline itself, and never one without a deadline', () => {
    const m = caseMetricsOf(
      [
        row({ caseId: 'due-now', dueAt: h(0) }),
        row({ caseId: 'due-soon', dueAt: h(-0.001) }),
        row({ caseId: 'no-deadline', dueAt: null, openedAt: h(500) }),
        closedRow('closed-late', { dueAt: h(5) }),
      ],
      NOW,
    );
    expect(m.backlog.overdue).toBe(1);
    expect(m.backlog.total).toBe(3);
  });

  it('counts a decision at the deadline itself as late, and leaves cases without a deadline out of the share', () => {
    const m = caseMetricsOf(
      [
        closedRow('at-deadline', { decidedAt: h(2), dueAt: h(2) }),
        closedRow('just-before', { decidedAt: h(2.001), dueAt: h(2) }),
        closedRow('early', { decidedAt: h(5), dueAt: h(2) }),
        closedRow('no-deadline', { dueAt: null }),
      ],
      NOW,
    );
    expect(m.decidedWithinSla).toEqual({ decided: 3, withinSla: 2, share: 0.6667 });
  });

  it('leaves a closed case without a decision time out of every decision figure', () => {
    const m = caseMetricsOf(
      [closedRow('lost', { decidedAt: null, dueAt: h(5), rules: ['r1'] }), row({ caseId: 'open' })],
      NOW,
    );
    expect(m.timeToDecision).toEqual({ count: 0, p50Hours: null, p90Hours: null });
    expect(m.falsePositiveRateByRule).toEqual([]);
    expect(m.decidedWithinSla).toEqual({ decided: 0, withinSla: 0, share: null });
    expect(m.backlog.total).toBe(1);
  });

  it('counts a reopened case as open backlog even though it has an earlier decision time', () => {
    const m = caseMetricsOf(
      [row({ caseId: 'reopened', state: 'investigating', decidedAt: h(3), dueAt: h(5), rules: ['r1'] })],
      NOW,
    );
    expect(m.backlog).toMatchObject({ total: 1, overdue: 1 });
    expect(m.timeToDecision.count).toBe(0);
    expect(m.falsePositiveRateByRule).toEqual([]);
    expect(m.decidedWithinSla.decided).toBe(0);
  });

  it('leaves cases nobody has touched yet out of the time to first touch', () => {
    const m = caseMetricsOf(
      [row({ caseId: 'untouched' }), row({ caseId: 'touched', firstTouchAt: h(9) })],
      NOW,
    );
    expect(m.timeToFirstTouch).toEqual({ count: 1, p50Hours: 1, p90Hours: 1 });
  });

  it('orders durations as numbers and rounds hours to the thousandth', () => {
    const m = caseMetricsOf(
      [
        row({ caseId: 'a', openedAt: h(20), firstTouchAt: h(10) }),
        row({ caseId: 'b', openedAt: h(20), firstTouchAt: h(11) }),
        row({ caseId: 'c', openedAt: h(20), firstTouchAt: h(20 - 1 / 3) }),
        closedRow('d', { openedAt: h(20), firstTouchAt: h(18), decidedAt: h(19.5) }),
      ],
      NOW,
    );
    // 0.333…, 2, 9 and 10 hours: text order would put 10 before 2.
    expect(m.timeToFirstTouch).toEqual({ count: 4, p50Hours: 2, p90Hours: 10 });
    expect(m.timeToDecision).toEqual({ count: 1, p50Hours: 0.5, p90Hours: 0.5 });
    const thirds = caseMetricsOf([row({ caseId: 'x', openedAt: h(1), firstTouchAt: h(1 - 1 / 3) })], NOW);
    expect(thirds.timeToFirstTouch.p50Hours).toBe(0.333);
  });

  it('lists false-positive rates per rule alphabetically, rounded to four places', () => {
    const fp = (caseId: string, rules: string[]) =>
      closedRow(caseId, { outcome: 'cleared_false_positive', rules });
    const m = caseMetricsOf(
      [
        fp('a', ['velocity']),
        closedRow('b', { rules: ['velocity'] }),
        closedRow('c', { rules: ['velocity', 'aml.sanctions'] }),
        fp('d', ['aml.sanctions']),
        row({ caseId: 'open-fp', rules: ['velocity'], outcome: 'cleared_false_positive' }),
      ],
      NOW,
    );
    expect(m.falsePositiveRateByRule).toEqual([
      { ruleId: 'aml.sanctions', decided: 2, falsePositives: 1, rate: 0.5 },
      { ruleId: 'velocity', decided: 3, falsePositives: 1, rate: 0.3333 },
    ]);
  });
});
