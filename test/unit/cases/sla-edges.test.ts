/**
 * Service-level edges beyond sla.test.ts: a deadline equal to the current one, at-risk times under other
 * policies, the ranks the case queue and the watcher order by, and every way CASE_SLA_HOURS can be misread.
 */
import {
  DEFAULT_SLA,
  parseSlaHours,
  SEVERITIES,
  SEVERITY_RANK,
  SLA_RANK,
  slaStateAt,
  tightenSla,
  type SlaPolicy,
} from '../../../shared/domain/cases/sla';

const HOUR = 3_600_000;

describe('case deadlines', () => {
  it('keeps the current deadline when a new concern brings exactly the same one', () => {
    const current = tightenSla(null, 'WARNING', '2026-12-04T08:00:00.000Z');
    // A CRITICAL alert 20 h in: 4 h from then is the same instant as the WARNING's deadline.
    expect(tightenSla(current, 'CRITICAL', '2026-12-05T04:00:00.000Z')).toBe(current);
    // One millisecond earlier is a tighter deadline.
    expect(tightenSla(current, 'CRITICAL', '2026-12-05T03:59:59.999Z').dueAt).toBe(
      '2026-12-05T07:59:59.999Z',
    );
  });

  it('counts the at-risk point from when the concern was raised, rounded to the millisecond', () => {
    const policy: SlaPolicy = { deadlineMs: { ...DEFAULT_SLA.deadlineMs, CRITICAL: 1001 }, atRiskAfter: 0.5 };
    expect(tightenSla(null, 'CRITICAL', '2026-12-04T08:00:00.000Z', policy)).toEqual({
      dueAt: '2026-12-04T08:00:01.001Z',
      atRiskAt: '2026-12-04T08:00:00.501Z',
    });
    expect(tightenSla(null, 'INFO', '2026-12-04T08:00:00.000Z')).toEqual({
      dueAt: '2026-12-07T08:00:00.000Z',
      atRiskAt: '2026-12-06T14:00:00.000Z',
    });
  });

  it('is ok right up to the at-risk point under a tighter policy', () => {
    const sla = { dueAt: '2026-12-04T10:00:00.000Z', atRiskAt: '2026-12-04T09:00:00.000Z' };
    expect(slaStateAt(sla, new Date('2026-12-04T08:59:59.999Z'))).toBe('ok');
    expect(slaStateAt(sla, new Date('2026-12-04T09:00:00.000Z'))).toBe('at_risk');
    expect(slaStateAt(sla, new Date('2026-12-05T00:00:00.000Z'))).toBe('breached');
  });

  it('ranks severities INFO < WARNING < CRITICAL and SLA states ok < at risk < breached', () => {
    expect(SEVERITIES).toEqual(['INFO', 'WARNING', 'CRITICAL']);
    expect(SEVERITIES.map((s) => SEVERITY_RANK[s])).toEqual([0, 1, 2]);
    expect(SLA_RANK).toEqual({ ok: 0, at_risk: 1, breached: 2 });
  });
});

describe('reading CASE_SLA_HOURS', () => {
  const read = (text: string) => {
    const problems: string[] = [];
    return { deadlines: parseSlaHours(text, problems), problems };
  };

  it('keeps the defaults for an empty setting and ignores empty entries and spaces', () => {
    expect(read('')).toEqual({ deadlines: DEFAULT_SLA.deadlineMs, problems: [] });
    expect(read(' , WARNING=12 ,, ')).toEqual({
      deadlines: { ...DEFAULT_SLA.deadlineMs, WARNING: 12 * HOUR },
      problems: [],
    });
  });

  it('accepts fractions of an hour and up to a year, nothing beyond', () => {
    expect(read('CRITICAL=0.5,INFO=8760')).toEqual({
      deadlines: { ...DEFAULT_SLA.deadlineMs, CRITICAL: 0.5 * HOUR, INFO: 8760 * HOUR },
      problems: [],
    });
    expect(read('INFO=8761').problems).toEqual(["'INFO=8761' is not SEVERITY=hours (hours in (0, 8760])"]);
    expect(read('INFO=8761').deadlines).toEqual(DEFAULT_SLA.deadlineMs);
  });

  it('names each entry it cannot read and keeps the default for it', () => {
    const { deadlines, problems } = read('CRITICAL=0,WARNING=-1,INFO=1=2,critical=2,URGENT=1,WARNING=,INFO');
    expect(deadlines).toEqual(DEFAULT_SLA.deadlineMs);
    expect(problems).toEqual([
      "'CRITICAL=0' is not SEVERITY=hours (hours in (0, 8760])",
      "'WARNING=-1' is not SEVERITY=hours (hours in (0, 8760])",
      "'INFO=1=2' is not SEVERITY=hours (hours in (0, 8760])",
      "'critical=2' is not SEVERITY=hours (hours in (0, 8760])",
      "'URGENT=1' is not SEVERITY=hours (hours in (0, 8760])",
      "'WARNING=' is not SEVERITY=hours (hours in (0, 8760])",
      "'INFO' is not SEVERITY=hours (hours in (0, 8760])",
    ]);
  });

  it('does not change the defaults other readers share', () => {
    read('CRITICAL=1');
    expect(DEFAULT_SLA.deadlineMs).toEqual({ CRITICAL: 4 * HOUR, WARNING: 24 * HOUR, INFO: 72 * HOUR });
  });
});
