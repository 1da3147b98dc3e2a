/**
 * What an SRE sees of the per-source circuit breaker: when a source stops being called, when one trial read
 * goes through, how the cool-down grows, and what a persisted state turns into after a cold start.
 */
import {
  INITIAL_CIRCUIT,
  circuitFromDocument,
  permitCall,
  recordFailure,
  recordSuccess,
  type CircuitBreakerPolicy,
  type CircuitState,
} from '../../../shared/domain/prices/circuit-breaker';

const policy: CircuitBreakerPolicy = { failureThreshold: 2, coolDownMs: 60_000, maxCoolDownMs: 300_000 };
const at = new Date('2024-08-05T10:00:00.000Z');

const halfOpen = (extra: Partial<CircuitState> = {}): CircuitState => ({
  status: 'HALF_OPEN',
  consecutiveFailures: 4,
  coolDownMs: 120_000,
  openedAt: '2024-08-05T09:00:00.000Z',
  retryAt: '2024-08-05T09:58:00.000Z',
  lastFailure: 'HTTP_500',
  ...extra,
});

describe('circuit breaker: calls', () => {
  it('lets every call through a closed or half-open circuit, without an event', () => {
    expect(permitCall(INITIAL_CIRCUIT, at)).toEqual({ allowed: true, state: INITIAL_CIRCUIT });
    const trial = halfOpen();
    expect(permitCall(trial, at)).toEqual({ allowed: true, state: trial });
  });

  it('keeps an open circuit shut until its retry time, then lets exactly one trial read through', () => {
    const open: CircuitState = { ...halfOpen(), status: 'OPEN', retryAt: '2024-08-05T10:00:00.001Z' };
    expect(permitCall(open, at)).toEqual({ allowed: false, state: open });
    expect(permitCall(open, new Date('2024-08-05T10:00:00.001Z'))).toEqual({
      allowed: true,
      state: { ...open, status: 'HALF_OPEN' },
      event: 'TRIAL',
    });
  });

  it('keeps an open circuit with no retry time shut (it is re-armed when read from the store)', () => {
    const open: CircuitState = { status: 'OPEN', consecutiveFailures: 3, coolDownMs: 60_000 };
    expect(permitCall(open, at).allowed).toBe(false);
  });
});

describe('circuit breaker: outcomes', () => {
  it('counts failures below the threshold without opening, remembering the last reason', () => {
    expect(recordFailure(INITIAL_CIRCUIT, at, policy, 'TIMEOUT')).toEqual({
      state: { status: 'CLOSED', consecutiveFailures: 1, coolDownMs: 0, lastFailure: 'TIMEOUT' },
    });
  });

  it('opens at exactly the threshold, for the first cool-down', () => {
    const once = recordFailure(INITIAL_CIRCUIT, at, policy, 'TIMEOUT').state;
    expect(recordFailure(once, at, policy, 'HTTP_429')).toEqual({
      state: {
        status: 'OPEN',
        consecutiveFailures: 2,
        coolDownMs: 60_000,
        retryAt: '2024-08-05T10:01:00.000Z',
        openedAt: '2024-08-05T10:00:00.000Z',
        lastFailure: 'HTTP_429',
      },
      event: 'OPENED',
    });
  });

  it('a failed trial re-opens with a doubled cool-down, keeping when the outage began', () => {
    expect(recordFailure(halfOpen(), at, policy, 'HTTP_503')).toEqual({
      state: {
        status: 'OPEN',
        consecutiveFailures: 5,
        coolDownMs: 240_000,
        retryAt: '2024-08-05T10:04:00.000Z',
        openedAt: '2024-08-05T09:00:00.000Z',
        lastFailure: 'HTTP_503',
      },
      event: 'REOPENED',
    });
  });

  it('caps the doubled cool-down at maxCoolDownMs', () => {
    const r = recordFailure(halfOpen({ coolDownMs: 200_000 }), at, policy, 'HTTP_503');
    expect(r.state.coolDownMs).toBe(300_000);
    expect(r.state.retryAt).toBe('2024-08-05T10:05:00.000Z');
  });

  it('a trial with no cool-down on record (restored state) waits at least the first cool-down', () => {
    const r = recordFailure(halfOpen({ coolDownMs: 0, openedAt: undefined }), at, policy, 'HTTP_503');
    expect(r.state).toMatchObject({
      coolDownMs: 60_000,
      retryAt: '2024-08-05T10:01:00.000Z',
      openedAt: '2024-08-05T10:00:00.000Z',
    });
    expect(r.event).toBe('REOPENED');
  });

  it('a failure recorded while already open (a read that raced the opening) backs off further', () => {
    const open: CircuitState = { ...halfOpen(), status: 'OPEN' };
    expect(recordFailure(open, at, policy, 'TIMEOUT')).toMatchObject({
      state: { status: 'OPEN', coolDownMs: 240_000, consecutiveFailures: 5 },
      event: 'REOPENED',
    });
  });

  it('a success closes the circuit and forgets the outage; only a real transition is an event', () => {
    expect(recordSuccess(halfOpen())).toEqual({ state: INITIAL_CIRCUIT, event: 'CLOSED' });
    const failing: CircuitState = { ...INITIAL_CIRCUIT, consecutiveFailures: 1, lastFailure: 'TIMEOUT' };
    expect(recordSuccess(failing)).toEqual({ state: INITIAL_CIRCUIT });
  });
});

describe('circuit breaker: persisted state', () => {
  it('restores every field of a well-formed document', () => {
    const doc = { ...halfOpen(), status: 'OPEN' };
    expect(circuitFromDocument(doc)).toEqual(doc);
    expect(circuitFromDocument({ status: 'CLOSED' })).toEqual(INITIAL_CIRCUIT);
  });

  it('reads counters that are negative, infinite or not numbers as zero', () => {
    for (const bad of [-1, Number.POSITIVE_INFINITY, Number.NaN, '3', null]) {
      expect(circuitFromDocument({ status: 'HALF_OPEN', consecutiveFailures: bad, coolDownMs: bad })).toEqual(
        { status: 'HALF_OPEN', consecutiveFailures: 0, coolDownMs: 0 },
      );
    }
    expect(circuitFromDocument({ status: 'CLOSED', consecutiveFailures: 0, coolDownMs: 7 })).toEqual({
      status: 'CLOSED',
      consecutiveFailures: 0,
      coolDownMs: 7,
    });
  });

  it('drops times and reasons that are not strings, and re-arms an open circuit left without a retry time', () => {
    expect(
      circuitFromDocument({
        status: 'OPEN',
        consecutiveFailures: 3,
        coolDownMs: 60_000,
        retryAt: 1722852000000,
        openedAt: 5,
        lastFailure: { code: 500 },
      }),
    ).toEqual({ status: 'HALF_OPEN', consecutiveFailures: 3, coolDownMs: 60_000 });
    expect(circuitFromDocument({ status: 'OPEN', retryAt: '' }).status).toBe('HALF_OPEN');
    expect(circuitFromDocument({ status: 'HALF_OPEN', lastFailure: '' })).toEqual({
      status: 'HALF_OPEN',
      consecutiveFailures: 0,
      coolDownMs: 0,
    });
  });
});
