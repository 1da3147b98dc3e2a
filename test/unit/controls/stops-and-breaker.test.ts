import { recordHardEvent, type BreakerWindow } from '../../../shared/domain/controls/breaker';
import {
  activeRecord,
  approveRelease,
  effectiveStop,
  engage,
  requestRelease,
  StopTransitionError,
  type StopRecord,
} from '../../../shared/domain/controls/stops';

const AT = new Date('2020-03-12T12:00:00Z');
const change = (actor: string, reason = 'because') => ({ actor, reason, at: AT });

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof StopTransitionError) return err.code;
    throw err;
  }
  return 'no error';
}

describe('kill switch states', () => {
  const global = activeRecord({ level: 'global' });

  it('tightens at once and says who, why and how', () => {
    const halted = engage(global, 'HALTED', change('alice@desk', 'Black Thursday'), 'manual');
    expect(halted).toMatchObject({
      scopeKey: 'global',
      state: 'HALTED',
      version: 1,
      changedBy: 'alice@desk',
      reason: 'Black Thursday',
      trigger: 'manual',
    });
    // Already at least that tight: nothing changes (a redelivered breaker trip, two operators at once).
    expect(engage(halted!, 'REDUCING', change('bob@desk'), 'breaker')).toBeNull();
    expect(engage(halted!, 'HALTED', change('bob@desk'), 'breaker')).toBeNull();
  });

  it('needs a reason for every change', () => {
    expect(code(() => engage(global, 'HALTED', change('a', '  '), 'manual'))).toBe('REASON_REQUIRED');
  });

  it('loosens only with two different people, each with a reason', () => {
    const halted = engage(global, 'HALTED', change('alice'), 'manual')!;
    const requested = requestRelease(halted, 'REDUCING', change('alice', 'prices back'));
    expect(requested.state).toBe('HALTED');
    expect(code(() => approveRelease(requested, change('alice', 'me again')))).toBe('SAME_PERSON');
    const released = approveRelease(requested, change('bob', 'checked the book'));
    expect(released).toMatchObject({ state: 'REDUCING', changedBy: 'bob', pendingRelease: null, version: 3 });
    expect(released.reason).toBe('checked the book (requested by alice: prices back)');
    expect(code(() => approveRelease(released, change('carol')))).toBe('NO_PENDING_RELEASE');
    expect(code(() => requestRelease(released, 'HALTED', change('carol')))).toBe('NOT_LOOSER');
    expect(code(() => requestRelease(released, 'REDUCING', change('carol')))).toBe('NOT_LOOSER');
  });

  it('cancels a pending release when the scope is tightened again', () => {
    const reducing = engage(global, 'REDUCING', change('alice'), 'manual')!;
    const requested = requestRelease(reducing, 'ACTIVE', change('alice'));
    const halted = engage(requested, 'HALTED', change('breaker'), 'breaker')!;
    expect(halted.pendingRelease).toBeNull();
    expect(code(() => approveRelease(halted, change('bob')))).toBe('NO_PENDING_RELEASE');
  });

  it('makes a portfolio obey the tightest of global, its desk and itself', () => {
    const records = new Map<string, StopRecord>();
    const p = { portfolioId: 'p-1', deskId: 'desk-a' };
    expect(effectiveStop(records, p)).toEqual({ state: 'ACTIVE', imposedBy: null });
    const desk = engage(
      activeRecord({ level: 'desk', deskId: 'desk-a' }),
      'REDUCING',
      change('a'),
      'manual',
    )!;
    records.set(desk.scopeKey, desk);
    expect(effectiveStop(records, p).state).toBe('REDUCING');
    expect(effectiveStop(records, { portfolioId: 'p-2', deskId: 'desk-b' }).state).toBe('ACTIVE');
    const own = engage(
      activeRecord({ level: 'portfolio', portfolioId: 'p-1' }),
      'HALTED',
      change('a'),
      'manual',
    )!;
    records.set(own.scopeKey, own);
    expect(effectiveStop(records, p)).toMatchObject({
      state: 'HALTED',
      imposedBy: { scopeKey: 'portfolio:p-1' },
    });
    const g = engage(activeRecord({ level: 'global' }), 'HALTED', change('a'), 'manual')!;
    records.set(g.scopeKey, g);
    // On a tie the widest scope is named: releasing the portfolio alone would not free it.
    expect(effectiveStop(records, p).imposedBy?.scopeKey).toBe('global');
  });
});

describe('circuit breaker window', () => {
  const config = { hardEvents: 5, windowSeconds: 60 };
  const t = (s: number) => new Date(AT.getTime() + s * 1000);
  const ev = (id: string, s: number) => ({ id, at: t(s).toISOString() });

  function feed(events: [string, number][], now: number, start: BreakerWindow | null = null) {
    let window = start;
    let last = null;
    for (const [id, s] of events) {
      last = recordHardEvent(window, ev(id, s), config, t(Math.max(s, now)));
      window = last.window;
    }
    return last!;
  }

  it('trips on the fifth hard event within 60 s, not the fourth', () => {
    expect(
      feed(
        [
          ['a', 0],
          ['b', 10],
          ['c', 20],
          ['d', 30],
        ],
        30,
      ).tripped,
    ).toBe(false);
    expect(
      feed(
        [
          ['a', 0],
          ['b', 10],
          ['c', 20],
          ['d', 30],
          ['e', 59.999],
        ],
        59.999,
      ),
    ).toMatchObject({
      tripped: true,
      count: 5,
    });
  });

  it('lets an event exactly 60 s old leave the window', () => {
    expect(
      feed(
        [
          ['a', 0],
          ['b', 10],
          ['c', 20],
          ['d', 30],
          ['e', 60],
        ],
        60,
      ),
    ).toMatchObject({ tripped: false, count: 4 });
  });

  it('counts a redelivered event once', () => {
    const out = feed(
      [
        ['a', 0],
        ['b', 1],
        ['b', 1],
        ['c', 2],
        ['c', 2],
        ['d', 3],
      ],
      3,
    );
    expect(out).toMatchObject({ tripped: false, count: 4 });
    const dup = recordHardEvent(out.window, ev('d', 3), config, t(3));
    expect(dup).toMatchObject({ counted: false, tripped: false, count: 4 });
  });

  it('does not count events older than the window, or from the future', () => {
    expect(recordHardEvent(null, ev('old', 0), config, t(61))).toMatchObject({ counted: false, count: 0 });
    expect(recordHardEvent(null, ev('future', 5), config, t(0))).toMatchObject({ counted: false, count: 0 });
  });

  it('keeps no more events than it needs', () => {
    const out = feed(
      [
        ['a', 0],
        ['b', 1],
        ['c', 2],
        ['d', 3],
        ['e', 4],
        ['f', 5],
        ['g', 6],
      ],
      6,
    );
    expect(out.window.events.map((e) => e.id)).toEqual(['c', 'd', 'e', 'f', 'g']);
  });

  it('does not trip again on the events that tripped it once the scope is re-enabled', () => {
    const tripped = feed(
      [
        ['a', 0],
        ['b', 1],
        ['c', 2],
        ['d', 3],
        ['e', 4],
      ],
      4,
    );
    expect(tripped.tripped).toBe(true);
    const reset = { ...tripped.window, resetAt: t(10).toISOString() };
    expect(recordHardEvent(reset, ev('f', 11), config, t(11))).toMatchObject({ tripped: false, count: 1 });
  });
});
