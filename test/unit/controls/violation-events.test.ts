/**
 * The violation events a risk manager reads: each names the portfolio, its desk, the tick, the figure and since
 * when the rule was broken; they come in a stable order; and the state kept between ticks remembers when each
 * breach started.
 */
import type { Violation } from '../../../shared/domain/controls/policy';
import {
  isStale,
  limitTransitions,
  violationKey,
  type LimitEvaluation,
  type LimitState,
  type ViolationEvent,
} from '../../../shared/domain/controls/violations';

const lev = (value: number, ruleId = 'leverage-cap'): Violation => ({
  policyId: 'desk-a',
  policyVersion: 1,
  ruleId,
  kind: 'hard',
  scope: { level: 'desk', deskId: 'desk-a' },
  metric: 'leverage',
  operator: '>',
  threshold: 3,
  value,
});

function evaluation(minute: number, violations: Violation[], positionsUpdatedAt = ''): LimitEvaluation {
  return {
    portfolioId: 'p-1',
    deskId: 'desk-a',
    tickId: `t-${minute}`,
    asOf: `2020-03-12T12:${String(minute).padStart(2, '0')}:00.000Z`,
    positionsUpdatedAt,
    violations,
  };
}

function run(prev: LimitState | null, e: LimitEvaluation): { next: LimitState; events: ViolationEvent[] } {
  const o = limitTransitions(prev, e);
  if (o.stale) throw new Error('unexpectedly stale');
  return o;
}

describe('violation events', () => {
  it('name the portfolio, desk, tick and figure; a STARTED event started at its own tick', () => {
    const { events, next } = run(null, evaluation(1, [lev(4)]));
    expect(events).toEqual([
      {
        eventId: expect.stringMatching(/^rv_/),
        transition: 'STARTED',
        portfolioId: 'p-1',
        deskId: 'desk-a',
        tickId: 't-1',
        asOf: '2020-03-12T12:01:00.000Z',
        violation: lev(4),
        since: '2020-03-12T12:01:00.000Z',
      },
    ]);
    expect(next).toEqual({
      portfolioId: 'p-1',
      asOf: '2020-03-12T12:01:00.000Z',
      positionsUpdatedAt: '',
      tickId: 't-1',
      active: {
        'desk-a/leverage-cap/': { violation: lev(4), since: '2020-03-12T12:01:00.000Z', sinceTickId: 't-1' },
      },
    });
  });

  it('say, when a breach clears, since when it had lasted and the last figure seen', () => {
    const a = run(null, evaluation(1, [lev(4)]));
    const b = run(a.next, evaluation(2, [lev(6)]));
    expect(b.next.active['desk-a/leverage-cap/']).toEqual({
      violation: lev(6),
      since: '2020-03-12T12:01:00.000Z',
      sinceTickId: 't-1',
    });
    const c = run(b.next, evaluation(3, []));
    expect(c.events).toHaveLength(1);
    expect(c.events[0]).toMatchObject({
      transition: 'CLEARED',
      tickId: 't-3',
      asOf: '2020-03-12T12:03:00.000Z',
      since: '2020-03-12T12:01:00.000Z',
      violation: { value: 6 },
    });
  });

  it('come in the order of their ids, so a redelivery publishes them in the same order', () => {
    const rules = ['r-a', 'r-b', 'r-c', 'r-d', 'r-e'];
    const { events } = run(
      null,
      evaluation(
        1,
        rules.map((r) => lev(4, r)),
      ),
    );
    const ids = events.map((e) => e.eventId);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(rules.length);
  });

  it('differ for a revaluation at the same tick after a position update', () => {
    const a = run(null, evaluation(1, [lev(4)], '2020-03-12T12:00:30Z'));
    const cleared = run(a.next, evaluation(1, [], '2020-03-12T12:00:45Z'));
    const again = run(a.next, evaluation(1, [], '2020-03-12T12:00:50Z'));
    expect(cleared.events[0].eventId).not.toBe(again.events[0].eventId);
  });
});

describe('which evaluation is stale', () => {
  const state = (asOf: string, positionsUpdatedAt: string): LimitState => ({
    portfolioId: 'p-1',
    asOf,
    positionsUpdatedAt,
    tickId: 't',
    active: {},
  });
  const e = (asOf: string, positionsUpdatedAt: string) => ({
    ...evaluation(0, []),
    asOf,
    positionsUpdatedAt,
  });

  it('none before the first judgement; an older tick is; the same tick and positions is not (redelivery)', () => {
    expect(isStale(null, e('2020-03-12T12:00:00Z', ''))).toBe(false);
    const s = state('2020-03-12T12:05:00Z', '2020-03-12T12:04:00Z');
    expect(isStale(s, e('2020-03-12T12:04:59Z', '2020-03-12T12:04:30Z'))).toBe(true);
    expect(isStale(s, e('2020-03-12T12:05:00Z', '2020-03-12T12:04:00Z'))).toBe(false);
    // A newer tick is never stale, even with older positions.
    expect(isStale(s, e('2020-03-12T12:05:01Z', '2020-03-12T12:00:00Z'))).toBe(false);
  });

  it('treats unknown positions time as the oldest', () => {
    const s = state('2020-03-12T12:05:00Z', '');
    expect(isStale(s, e('2020-03-12T12:05:00Z', '1970-01-01T00:00:00Z'))).toBe(false);
    expect(isStale(s, e('2020-03-12T12:05:00Z', '2020-03-12T12:00:00Z'))).toBe(false);
    const known = state('2020-03-12T12:05:00Z', '2020-03-12T12:00:00Z');
    expect(isStale(known, e('2020-03-12T12:05:00Z', ''))).toBe(true);
  });
});

it('keys a violation by policy, rule and asset', () => {
  expect(violationKey({ policyId: 'g', ruleId: 'gross', asset: 'BTC' })).toBe('g/gross/BTC');
  expect(violationKey({ policyId: 'g', ruleId: 'lev' })).toBe('g/lev/');
});
