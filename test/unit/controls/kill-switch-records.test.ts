/**
 * What an operator reads in a stop record and the errors of the admin API: the state, who changed it, when,
 * why and by which trigger; the two-person release; the tightest of a portfolio's scopes. And the breaker's
 * window as stored: which events count after a re-enable, in what order they are kept.
 */
import { recordHardEvent, type BreakerWindow } from '../../../shared/domain/controls/breaker';
import { DEFAULT_DESK_ID, deskOf } from '../../../shared/domain/controls/desks';
import {
  activeRecord,
  approveRelease,
  effectiveStop,
  engage,
  isTighter,
  requestRelease,
  StopTransitionError,
  type StopRecord,
} from '../../../shared/domain/controls/stops';

const AT = new Date('2020-03-12T12:00:00Z');
const LATER = new Date('2020-03-12T13:30:00Z');
const change = (actor: string, reason = 'because', at = AT) => ({ actor, reason, at });

function thrown(fn: () => unknown): StopTransitionError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StopTransitionError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('desks', () => {
  it('puts a portfolio whose update names no desk in the default desk', () => {
    expect(DEFAULT_DESK_ID).toBe('default');
    expect(deskOf(undefined)).toBe('default');
    expect(deskOf(null)).toBe('default');
    expect(deskOf('')).toBe('default');
    expect(deskOf('desk-a')).toBe('desk-a');
  });
});

describe('stop records', () => {
  it('start ACTIVE, never stopped, by the system, at version 0', () => {
    expect(activeRecord({ level: 'desk', deskId: 'desk-a' })).toEqual({
      scopeKey: 'desk:desk-a',
      scope: { level: 'desk', deskId: 'desk-a' },
      state: 'ACTIVE',
      version: 0,
      changedBy: 'system',
      reason: 'never stopped',
      changedAt: '1970-01-01T00:00:00.000Z',
      trigger: 'manual',
      pendingRelease: null,
    });
    expect(activeRecord({ level: 'portfolio', portfolioId: 'p-1' }).scopeKey).toBe('portfolio:p-1');
  });

  it('record when, by what trigger and with which version a scope was tightened, step by step', () => {
    const reducing = engage(
      activeRecord({ level: 'global' }),
      'REDUCING',
      change('breaker', 'five hard events in 60 s'),
      'breaker',
    )!;
    expect(reducing).toMatchObject({
      state: 'REDUCING',
      version: 1,
      changedAt: AT.toISOString(),
      trigger: 'breaker',
    });
    const halted = engage(reducing, 'HALTED', change('ops', 'emergency rule', LATER), 'emergency-rule')!;
    expect(halted).toMatchObject({
      state: 'HALTED',
      version: 2,
      changedBy: 'ops',
      reason: 'emergency rule',
      changedAt: LATER.toISOString(),
      trigger: 'emergency-rule',
    });
  });

  it('keep the state while a release waits, and record who asked, why and when', () => {
    const halted = engage(activeRecord({ level: 'global' }), 'HALTED', change('alice'), 'breaker')!;
    const requested = requestRelease(halted, 'ACTIVE', change('alice', 'prices are back', LATER));
    expect(requested).toEqual({
      ...halted,
      version: 2,
      pendingRelease: {
        target: 'ACTIVE',
        requestedBy: 'alice',
        reason: 'prices are back',
        requestedAt: LATER.toISOString(),
      },
    });
    const released = approveRelease(requested, change('bob', 'book checked', LATER));
    expect(released).toMatchObject({
      state: 'ACTIVE',
      changedAt: LATER.toISOString(),
      // Loosening is always a person's decision, whatever had tightened the scope.
      trigger: 'manual',
    });
  });

  it('refuse a release request or an approval without a reason', () => {
    const halted = engage(activeRecord({ level: 'global' }), 'HALTED', change('alice'), 'manual')!;
    expect(thrown(() => requestRelease(halted, 'ACTIVE', change('alice', ' ')))).toMatchObject({
      code: 'REASON_REQUIRED',
      message: 'a reason is required',
    });
    const requested = requestRelease(halted, 'ACTIVE', change('alice'));
    expect(thrown(() => approveRelease(requested, change('bob', '')))).toMatchObject({
      code: 'REASON_REQUIRED',
    });
  });

  it('explain each refused transition in words an operator can act on', () => {
    const reducing = engage(
      activeRecord({ level: 'desk', deskId: 'desk-a' }),
      'REDUCING',
      change('alice'),
      'manual',
    )!;
    const notLooser = thrown(() => requestRelease(reducing, 'HALTED', change('bob')));
    expect(notLooser).toMatchObject({
      name: 'StopTransitionError',
      code: 'NOT_LOOSER',
      message: 'desk:desk-a is REDUCING: HALTED would not loosen it',
    });
    expect(thrown(() => requestRelease(reducing, 'REDUCING', change('bob'))).code).toBe('NOT_LOOSER');
    // One step looser is a release.
    expect(requestRelease(reducing, 'ACTIVE', change('bob')).pendingRelease?.target).toBe('ACTIVE');
    expect(thrown(() => approveRelease(reducing, change('bob'))).message).toBe(
      'desk:desk-a has no release waiting for approval',
    );
    const requested = requestRelease(reducing, 'ACTIVE', change('bob'));
    expect(thrown(() => approveRelease(requested, change('bob', 'me'))).message).toBe(
      'bob requested this release; a different person must approve it',
    );
  });

  it('never tighten to the state a scope is already in, nor loosen by engaging', () => {
    const reducing = engage(activeRecord({ level: 'global' }), 'REDUCING', change('a'), 'manual')!;
    expect(engage(reducing, 'REDUCING', change('b'), 'breaker')).toBeNull();
    expect(engage(reducing, 'HALTED', change('b'), 'breaker')?.state).toBe('HALTED');
  });

  it('order states by tightness: HALTED over REDUCING over ACTIVE', () => {
    expect(isTighter('HALTED', 'REDUCING')).toBe(true);
    expect(isTighter('REDUCING', 'ACTIVE')).toBe(true);
    expect(isTighter('REDUCING', 'REDUCING')).toBe(false);
    expect(isTighter('ACTIVE', 'HALTED')).toBe(false);
  });

  it('name the widest of equally tight scopes as the one a portfolio obeys', () => {
    const p = { portfolioId: 'p-1', deskId: 'desk-a' };
    const desk = engage(
      activeRecord({ level: 'desk', deskId: 'desk-a' }),
      'REDUCING',
      change('a'),
      'manual',
    )!;
    const own = engage(
      activeRecord({ level: 'portfolio', portfolioId: 'p-1' }),
      'REDUCING',
      change('b'),
      'manual',
    )!;
    const records = new Map<string, StopRecord>([
      [own.scopeKey, own],
      [desk.scopeKey, desk],
    ]);
    expect(effectiveStop(records, p)).toEqual({ state: 'REDUCING', imposedBy: desk });
    // A released (ACTIVE) record imposes nothing.
    const global = activeRecord({ level: 'global' });
    expect(effectiveStop(new Map([[global.scopeKey, global]]), p)).toEqual({
      state: 'ACTIVE',
      imposedBy: null,
    });
  });
});

describe('breaker window as stored', () => {
  const config = { hardEvents: 3, windowSeconds: 60 };
  const t = (s: number) => new Date(AT.getTime() + s * 1000);
  const ev = (id: string, s: number) => ({ id, at: t(s).toISOString() });

  it('counts after a re-enable only the events strictly after it, and keeps the re-enable time', () => {
    const reset: BreakerWindow = { events: [ev('a', 1), ev('b', 2)], resetAt: t(10).toISOString() };
    const atReset = recordHardEvent(reset, ev('c', 10), config, t(20));
    expect(atReset).toMatchObject({ counted: false, count: 0, tripped: false });
    expect(atReset.window).toEqual({ events: [], resetAt: t(10).toISOString() });
    const after = recordHardEvent(reset, ev('d', 10.001), config, t(20));
    expect(after).toMatchObject({ counted: true, count: 1 });
    expect(after.window).toEqual({ events: [ev('d', 10.001)], resetAt: t(10).toISOString() });
  });

  it('keeps the latest events in time order, whatever order they arrived in (ids break ties)', () => {
    let window: BreakerWindow | null = null;
    for (const e of [ev('c', 30), ev('a', 10), ev('z', 20), ev('b', 20)])
      window = recordHardEvent(window, e, config, t(40)).window;
    expect(window!.events.map((e) => e.id)).toEqual(['b', 'z', 'c']);
    for (const arrival of [
      [ev('z', 20), ev('b', 20)],
      [ev('b', 20), ev('z', 20)],
    ]) {
      window = null;
      for (const e of arrival) window = recordHardEvent(window, e, config, t(40)).window;
      expect(window!.events.map((e) => e.id)).toEqual(['b', 'z']);
    }
  });

  it('trips on the threshold and on every event past it, reporting the capped count', () => {
    let window: BreakerWindow | null = null;
    const outcomes = ['a', 'b', 'c', 'd'].map((id, i) => {
      const o = recordHardEvent(window, ev(id, i), config, t(i));
      window = o.window;
      return [o.count, o.tripped, o.counted];
    });
    expect(outcomes).toEqual([
      [1, false, true],
      [2, false, true],
      [3, true, true],
      [3, true, true],
    ]);
  });

  it('counts an event at exactly now, and drops events that left the window from what it stores', () => {
    const o = recordHardEvent({ events: [ev('old', 0), ev('mid', 30)] }, ev('now', 61), config, t(61));
    expect(o).toMatchObject({ counted: true, count: 2 });
    expect(o.window.events.map((e) => e.id)).toEqual(['mid', 'now']);
  });
});
