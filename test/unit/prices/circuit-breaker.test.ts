import {
  INITIAL_CIRCUIT,
  circuitFromDocument,
  permitCall,
  recordFailure,
  recordSuccess,
  type CircuitBreakerPolicy,
  type CircuitState,
} from '../../../shared/domain/prices/circuit-breaker';
import { ManualClock } from '../../../shared/platform/clocks';

const policy: CircuitBreakerPolicy = { failureThreshold: 3, coolDownMs: 60_000, maxCoolDownMs: 240_000 };
const MINUTE = 60_000;

/** Drives the breaker like the use case does: one permitted call per tick, outcome from `healthy(tick)`. */
function run(clock: ManualClock, ticks: number, healthy: (tick: number) => boolean, p = policy) {
  let state: CircuitState = INITIAL_CIRCUIT;
  const called: number[] = [];
  const events: string[] = [];
  for (let tick = 0; tick < ticks; tick++) {
    const permit = permitCall(state, clock.now());
    state = permit.state;
    if (permit.event) events.push(`${tick}:${permit.event}`);
    if (permit.allowed) {
      called.push(tick);
      const rec = healthy(tick) ? recordSuccess(state) : recordFailure(state, clock.now(), p, 'HTTP_500');
      state = rec.state;
      if (rec.event) events.push(`${tick}:${rec.event}`);
    }
    clock.advance(MINUTE);
  }
  return { state, called, events };
}

describe('circuit breaker', () => {
  it('stays closed through fewer failures than the threshold, and a success resets the count', () => {
    const clock = new ManualClock('2024-08-05T00:00:00Z');
    const { state, called } = run(clock, 10, (t) => t % 3 === 2);
    expect(called).toHaveLength(10);
    expect(state.status).toBe('CLOSED');
  });

  it('opens after N consecutive failures and stops calling the source during the cool-down', () => {
    const clock = new ManualClock('2024-08-05T00:00:00Z');
    const fiveMinutes = { ...policy, coolDownMs: 5 * MINUTE, maxCoolDownMs: 20 * MINUTE };
    const { called, events, state } = run(clock, 7, () => false, fiveMinutes);
    expect(events).toEqual(['2:OPENED']);
    expect(called).toEqual([0, 1, 2]);
    expect(state.status).toBe('OPEN');
  });

  it('lets one trial through after the cool-down; a failed trial doubles the cool-down up to the cap', () => {
    const clock = new ManualClock('2024-08-05T00:00:00Z');
    const { called, events } = run(clock, 40, () => false);
    // Opens at tick 2 (retry after 1 min), trials at 3, then cool-downs 2, 4, 4, 4… minutes.
    expect(called).toEqual([0, 1, 2, 3, 5, 9, 13, 17, 21, 25, 29, 33, 37]);
    expect(events.slice(0, 5)).toEqual(['2:OPENED', '3:TRIAL', '3:REOPENED', '5:TRIAL', '5:REOPENED']);
    // A dead source costs 13 calls over 40 minutes instead of 40.
    expect(called.length).toBeLessThan(40 / 3);
  });

  it('closes on the first successful trial and recovers by itself', () => {
    const clock = new ManualClock('2024-08-05T00:00:00Z');
    const { called, events, state } = run(clock, 15, (t) => t >= 8);
    expect(events).toEqual([
      '2:OPENED',
      '3:TRIAL',
      '3:REOPENED',
      '5:TRIAL',
      '5:REOPENED',
      '9:TRIAL',
      '9:CLOSED',
    ]);
    expect(state).toEqual(INITIAL_CIRCUIT);
    expect(called.slice(-6)).toEqual([9, 10, 11, 12, 13, 14]);
  });

  it('records the opening time, the retry time and the last failure reason', () => {
    const at = new Date('2024-08-05T00:00:00Z');
    let s = INITIAL_CIRCUIT;
    for (let i = 0; i < 3; i++) s = recordFailure(s, at, policy, 'TIMEOUT').state;
    expect(s).toEqual({
      status: 'OPEN',
      consecutiveFailures: 3,
      coolDownMs: 60_000,
      openedAt: '2024-08-05T00:00:00.000Z',
      retryAt: '2024-08-05T00:01:00.000Z',
      lastFailure: 'TIMEOUT',
    });
    expect(permitCall(s, new Date('2024-08-05T00:00:59.999Z')).allowed).toBe(false);
    expect(permitCall(s, new Date('2024-08-05T00:01:00.000Z'))).toMatchObject({
      allowed: true,
      event: 'TRIAL',
    });
  });

  it('reads persisted state defensively', () => {
    expect(circuitFromDocument(undefined)).toEqual(INITIAL_CIRCUIT);
    expect(circuitFromDocument({ status: 'BOGUS' })).toEqual(INITIAL_CIRCUIT);
    // An OPEN circuit without a retry time would never recover: it becomes a trial instead.
    expect(circuitFromDocument({ status: 'OPEN', consecutiveFailures: 5 }).status).toBe('HALF_OPEN');
    const open = {
      status: 'OPEN',
      consecutiveFailures: 3,
      coolDownMs: 60000,
      retryAt: '2024-08-05T00:01:00.000Z',
    };
    expect(circuitFromDocument(open)).toEqual(open);
  });
});
