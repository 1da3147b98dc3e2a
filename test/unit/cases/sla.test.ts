import { DEFAULT_SLA, parseSlaHours, slaStateAt, tightenSla } from '../../../shared/domain/cases/sla';

const at = (iso: string) => new Date(iso);

describe('case service levels', () => {
  const opened = '2026-12-04T08:00:00.000Z';
  const critical = tightenSla(null, 'CRITICAL', opened);

  it('gives a CRITICAL case 4 h, at risk after 3 h (the last quarter)', () => {
    expect(critical).toEqual({ dueAt: '2026-12-04T12:00:00.000Z', atRiskAt: '2026-12-04T11:00:00.000Z' });
    expect(tightenSla(null, 'WARNING', opened).dueAt).toBe('2026-12-05T08:00:00.000Z');
    expect(tightenSla(null, 'INFO', opened).dueAt).toBe('2026-12-07T08:00:00.000Z');
  });

  it('is at risk from its at-risk time and breached from the deadline itself, not a millisecond earlier', () => {
    expect(slaStateAt(critical, at('2026-12-04T10:59:59.999Z'))).toBe('ok');
    expect(slaStateAt(critical, at('2026-12-04T11:00:00.000Z'))).toBe('at_risk');
    expect(slaStateAt(critical, at('2026-12-04T11:59:59.999Z'))).toBe('at_risk');
    expect(slaStateAt(critical, at('2026-12-04T12:00:00.000Z'))).toBe('breached');
  });

  it('takes a more severe concern’s earlier deadline, and never extends one', () => {
    const warning = tightenSla(null, 'WARNING', opened);
    // A CRITICAL alert joins 20 h later: 4 h from then is earlier than the WARNING's 24 h from opening.
    const joined = tightenSla(warning, 'CRITICAL', '2026-12-05T04:00:00.000Z');
    expect(joined.dueAt).toBe('2026-12-05T08:00:00.000Z');
    expect(tightenSla(warning, 'CRITICAL', '2026-12-04T09:00:00.000Z').dueAt).toBe(
      '2026-12-04T13:00:00.000Z',
    );
    // An INFO alert later on does not push the deadline back.
    expect(tightenSla(critical, 'INFO', '2026-12-04T09:00:00.000Z')).toBe(critical);
  });

  it('reads deadlines in hours per severity, reporting what it cannot read', () => {
    const problems: string[] = [];
    expect(parseSlaHours('CRITICAL=2, INFO=48', problems)).toEqual({
      ...DEFAULT_SLA.deadlineMs,
      CRITICAL: 2 * 3_600_000,
      INFO: 48 * 3_600_000,
    });
    expect(problems).toEqual([]);
    parseSlaHours('URGENT=1,WARNING=0,INFO=x,CRITICAL', problems);
    expect(problems).toHaveLength(4);
  });
});
