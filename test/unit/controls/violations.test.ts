import type { Violation } from '../../../shared/domain/controls/policy';
import {
  limitTransitions,
  type LimitEvaluation,
  type LimitState,
  type TransitionOutcome,
} from '../../../shared/domain/controls/violations';

const lev = (value: number): Violation => ({
  policyId: 'desk-a',
  policyVersion: 1,
  ruleId: 'leverage-cap',
  kind: 'hard',
  scope: { level: 'desk', deskId: 'desk-a' },
  metric: 'leverage',
  operator: '>',
  threshold: 3,
  value,
});
const gross = (asset: string): Violation => ({
  ...lev(0),
  ruleId: 'gross',
  metric: 'assetGrossUsd',
  asset,
  threshold: 1000,
  value: 2000,
});

function tick(
  minute: number,
  violations: Violation[],
  positionsUpdatedAt = '2020-03-12T00:00:00Z',
): LimitEvaluation {
  const asOf = `2020-03-12T12:${String(minute).padStart(2, '0')}:00.000Z`;
  return {
    portfolioId: 'p-1',
    deskId: 'desk-a',
    tickId: `t-${minute}`,
    asOf,
    positionsUpdatedAt,
    violations,
  };
}

function applied(o: TransitionOutcome): { next: LimitState; events: string[] } {
  if (o.stale) throw new Error('unexpectedly stale');
  return {
    next: o.next,
    events: o.events.map(
      (e) => `${e.transition} ${e.violation.ruleId}${e.violation.asset ? `:${e.violation.asset}` : ''}`,
    ),
  };
}

describe('violation transitions', () => {
  it('raises an event when a rule starts being violated and when it clears, not on every tick', () => {
    const a = applied(limitTransitions(null, tick(1, [lev(4)])));
    expect(a.events).toEqual(['STARTED leverage-cap']);
    const b = applied(limitTransitions(a.next, tick(2, [lev(5)])));
    expect(b.events).toEqual([]);
    expect(b.next.active['desk-a/leverage-cap/']).toMatchObject({
      since: tick(1, []).asOf,
      violation: { value: 5 },
    });
    const c = applied(limitTransitions(b.next, tick(3, [])));
    expect(c.events).toEqual(['CLEARED leverage-cap']);
    expect(c.next.active).toEqual({});
  });

  it('tracks a per-asset rule per asset', () => {
    const a = applied(limitTransitions(null, tick(1, [gross('BTC')])));
    const b = applied(limitTransitions(a.next, tick(2, [gross('ETH')])));
    expect(b.events.sort()).toEqual(['CLEARED gross:BTC', 'STARTED gross:ETH']);
  });

  it('ignores an older tick, and a revaluation with older positions at the same tick', () => {
    const a = applied(limitTransitions(null, tick(5, [lev(4)], '2020-03-12T12:04:30Z')));
    expect(limitTransitions(a.next, tick(4, [])).stale).toBe(true);
    expect(limitTransitions(a.next, tick(5, [], '2020-03-12T12:04:00Z')).stale).toBe(true);
    // The same tick with newer positions is newer.
    expect(applied(limitTransitions(a.next, tick(5, [], '2020-03-12T12:04:45Z'))).events).toEqual([
      'CLEARED leverage-cap',
    ]);
  });

  it('gives a redelivered evaluation the same event ids, and a later repeat of the same transition new ones', () => {
    const first = limitTransitions(null, tick(1, [lev(4)]));
    const again = limitTransitions(null, tick(1, [lev(4)]));
    expect(first.stale || again.stale).toBe(false);
    if (first.stale || again.stale) return;
    expect(again.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
    const cleared = applied(limitTransitions(first.next, tick(2, [])));
    const restarted = limitTransitions(cleared.next, tick(3, [lev(4)]));
    if (restarted.stale) throw new Error('stale');
    expect(restarted.events[0].eventId).not.toBe(first.events[0].eventId);
    expect(first.events[0].eventId).toMatch(/^rv_[0-9a-f]{32}$/);
  });

  it('clears a violation whose rule left the policy', () => {
    const a = applied(limitTransitions(null, tick(1, [lev(4), gross('BTC')])));
    expect(applied(limitTransitions(a.next, tick(2, [gross('BTC')]))).events).toEqual([
      'CLEARED leverage-cap',
    ]);
  });
});
