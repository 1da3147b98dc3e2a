/**
 * The stored de-duplication history and the token buckets, at their edges: which alerts the history still
 * holds after a few windows, and how many notifications a recipient gets after a pause, a clock step back
 * or an escalation through an empty bucket. domain.test.ts has the everyday cases.
 */
import {
  DEFAULT_DEDUP_WINDOW_MS,
  dedupDecision,
  recordSend,
  recordSuppressed,
  type DedupState,
} from '../../../shared/domain/notifications/dedup';
import {
  DEFAULT_RATE_LIMITS,
  takeToken,
  type BucketState,
  type RateLimitPolicy,
} from '../../../shared/domain/notifications/rate-limit';

const MIN = 60_000;
const HOUR = 60 * MIN;
const t0 = Date.parse('2025-11-10T12:00:00Z');

const ids = (s: DedupState) => s.recent.map((r) => r.alertId);

describe('de-duplication history', () => {
  const state = (entries: [string, number][]): DedupState => ({
    lastSentAt: t0,
    lastLevel: 1,
    recent: entries.map(([alertId, at]) => ({ alertId, at, channels: ['email'] })),
  });

  it('forgets alerts four windows old when it records a send, and keeps a younger one', () => {
    const window = DEFAULT_DEDUP_WINDOW_MS;
    const s = state([
      ['old', t0],
      ['kept', t0 + 1],
    ]);
    const after = recordSend(s, { alertId: 'new', level: 1 }, ['sms'], t0 + 4 * window);
    expect(ids(after)).toEqual(['kept', 'new']);
    expect(after.recent.at(-1)).toEqual({ alertId: 'new', at: t0 + 4 * window, channels: ['sms'] });
  });

  it('forgets alerts four windows old when it records a suppressed alert, with no channel for it', () => {
    const s = state([
      ['old', t0],
      ['kept', t0 + 1],
    ]);
    const after = recordSuppressed(s, 'dup', t0 + 4 * DEFAULT_DEDUP_WINDOW_MS);
    expect(ids(after)).toEqual(['kept', 'dup']);
    expect(after.recent.at(-1)).toEqual({
      alertId: 'dup',
      at: t0 + 4 * DEFAULT_DEDUP_WINDOW_MS,
      channels: [],
    });
    expect(after).toMatchObject({ lastSentAt: t0, lastLevel: 1 });
  });

  it('measures the four windows in the window it is given', () => {
    const s = state([
      ['old', t0],
      ['kept', t0 + 1],
    ]);
    expect(ids(recordSend(s, { alertId: 'new', level: 1 }, ['email'], t0 + 4 * MIN, MIN))).toEqual([
      'kept',
      'new',
    ]);
    expect(ids(recordSuppressed(s, 'dup', t0 + 4 * MIN, MIN))).toEqual(['kept', 'dup']);
    // With the default five-minute window, four minutes later both are still recent.
    expect(ids(recordSuppressed(s, 'dup', t0 + 4 * MIN))).toEqual(['old', 'kept', 'dup']);
  });

  it('keeps the 20 latest alerts when a storm is suppressed', () => {
    let s: DedupState = recordSend(undefined, { alertId: 'first', level: 1 }, ['email'], t0);
    for (let i = 0; i < 30; i++) s = recordSuppressed(s, `dup${i}`, t0 + i);
    expect(ids(s)).toEqual(Array.from({ length: 20 }, (_, i) => `dup${i + 10}`));
    // The window still runs from the send, and a duplicate names the latest alert of the kind.
    expect(s.lastSentAt).toBe(t0);
    expect(dedupDecision(s, { alertId: 'next', level: 1, escalation: false }, t0 + MIN)).toEqual({
      verdict: 'suppress',
      reason: 'duplicate',
      previousAlertId: 'dup29',
    });
  });

  it('names no previous alert when the stored state has no history', () => {
    const bare: DedupState = { lastSentAt: t0, lastLevel: 1, recent: [] };
    expect(dedupDecision(bare, { alertId: 'a', level: 1, escalation: false }, t0 + MIN)).toEqual({
      verdict: 'suppress',
      reason: 'duplicate',
      previousAlertId: '',
    });
  });

  it('uses the window it is given to decide a duplicate', () => {
    const sent = recordSend(undefined, { alertId: 'a1', level: 1 }, ['email'], t0);
    const again = { alertId: 'a2', level: 1, escalation: false };
    expect(dedupDecision(sent, again, t0 + MIN - 1, MIN).verdict).toBe('suppress');
    expect(dedupDecision(sent, again, t0 + MIN, MIN)).toEqual({ verdict: 'send', reason: 'window-elapsed' });
  });
});

describe('token buckets', () => {
  const policy: RateLimitPolicy = { capacity: 3, perHour: 6 };

  /** Takes at each instant in turn, carrying the bucket along; the verdicts. */
  const takes = (times: number[], start?: BucketState, p = policy) => {
    let bucket = start;
    return times.map((now) => {
      const r = takeToken(bucket, p, now);
      bucket = r.state;
      return r.allowed;
    });
  };

  it('refills in proportion to the time elapsed: 2.5 tokens after 25 minutes at 6 an hour', () => {
    const empty = { tokens: 0, updatedAt: 0 };
    expect(takeToken(empty, policy, 25 * MIN)).toEqual({
      allowed: true,
      state: { tokens: 1.5, updatedAt: 25 * MIN },
    });
    expect(takes([25 * MIN, 25 * MIN, 25 * MIN], empty)).toEqual([true, true, false]);
  });

  it('keeps the fraction of a token a refused notification accrued', () => {
    const empty = { tokens: 0, updatedAt: 0 };
    const refused = takeToken(empty, policy, 7.5 * MIN);
    expect(refused).toEqual({ allowed: false, state: { tokens: 0.75, updatedAt: 7.5 * MIN } });
    // 0.75 + 0.375 after 3.75 more minutes: one notification, as if nothing had been refused.
    expect(takes([11.25 * MIN], refused.state)).toEqual([true]);
  });

  it('fills up to the burst size and no further after a long pause', () => {
    const empty = { tokens: 0, updatedAt: 0 };
    expect(takes([24 * HOUR, 24 * HOUR, 24 * HOUR, 24 * HOUR], empty)).toEqual([true, true, true, false]);
    expect(takeToken(empty, policy, 24 * HOUR).state.tokens).toBe(2);
  });

  it('starts a new recipient with a full bucket', () => {
    expect(takeToken(undefined, policy, t0)).toEqual({ allowed: true, state: { tokens: 2, updatedAt: t0 } });
  });

  it('refills nothing, and takes nothing away, when the clock reads earlier than the last take', () => {
    // Instances' clocks differ: a take stamped a minute in the future must not put the bucket in debt.
    const one = { tokens: 1, updatedAt: t0 + MIN };
    expect(takeToken(one, policy, t0)).toEqual({ allowed: true, state: { tokens: 0, updatedAt: t0 } });
  });

  it('lets an escalation through an empty bucket without running it into debt', () => {
    const empty = { tokens: 0, updatedAt: 0 };
    const forced = takeToken(empty, policy, 0, true);
    expect(forced).toEqual({ allowed: true, state: { tokens: 0, updatedAt: 0 } });
    // Ten minutes later the ordinary notification that refilled in the meantime goes out.
    expect(takes([10 * MIN], forced.state)).toEqual([true]);
    // With a token to spare, an escalation spends it like any other notification.
    expect(takeToken({ tokens: 2, updatedAt: 0 }, policy, 0, true).state.tokens).toBe(1);
  });

  it('by default allows bursts of 10 emails, 5 SMS and 60 webhook calls', () => {
    const burst = (ch: keyof typeof DEFAULT_RATE_LIMITS, n: number) =>
      takes(Array<number>(n).fill(t0), undefined, DEFAULT_RATE_LIMITS[ch]).filter(Boolean).length;
    expect(burst('email', 11)).toBe(10);
    expect(burst('sms', 6)).toBe(5);
    expect(burst('webhook', 61)).toBe(60);
  });

  it('by default refills 30 emails, 12 SMS and 600 webhook calls an hour', () => {
    const after = (ch: keyof typeof DEFAULT_RATE_LIMITS, ms: number) =>
      takeToken({ tokens: 0, updatedAt: t0 }, DEFAULT_RATE_LIMITS[ch], t0 + ms).allowed;
    expect([after('email', 2 * MIN - 1), after('email', 2 * MIN)]).toEqual([false, true]);
    expect([after('sms', 5 * MIN - 1), after('sms', 5 * MIN)]).toEqual([false, true]);
    expect([after('webhook', 6_000 - 1), after('webhook', 6_000)]).toEqual([false, true]);
  });
});
