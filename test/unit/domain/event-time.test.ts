/**
 * Event times from outside order and prune state, so one dated in the future (beyond the clock-skew allowance) is
 * refused, and a time that is not a real RFC 3339 instant with an explicit offset is refused as unreadable.
 */
import {
  DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS,
  judgeEventTime,
  latestAcceptedMs,
  MAX_EVENT_TIME_SKEW_SECONDS,
  parseEventTime,
} from '../../../shared/domain/event-time';

const NOW_ISO = '2026-12-04T12:00:00.000Z';
const NOW = Date.parse(NOW_ISO);

describe('reading an event time', () => {
  it('reads RFC 3339 times in UTC or with an offset, to the millisecond', () => {
    expect(parseEventTime('2026-12-04T12:00:00Z')).toBe(NOW);
    expect(parseEventTime('2026-12-04T12:00:00.250Z')).toBe(NOW + 250);
    expect(parseEventTime('2026-12-04T13:30:00+01:30')).toBe(NOW);
    expect(parseEventTime('2026-12-04T09:00:00-03:00')).toBe(NOW);
    expect(parseEventTime('2026-12-04T12:00:00.123456789Z')).toBe(NOW + 123);
  });

  it('accepts a lower-case t and z and a space between date and time, as RFC 3339 allows', () => {
    expect(parseEventTime('2026-12-04t12:00:00z')).toBe(NOW);
    expect(parseEventTime('2026-12-04 12:00:00Z')).toBe(NOW);
    expect(parseEventTime('2026-12-04 12:00:00+00:00')).toBe(NOW);
  });

  it('accepts the last valid value of every field', () => {
    expect(parseEventTime('2026-12-31T23:59:59Z')).toBe(Date.UTC(2026, 11, 31, 23, 59, 59));
    expect(parseEventTime('2026-12-31T23:59:59+23:59')).toBe(
      Date.UTC(2026, 11, 31, 23, 59, 59) - (23 * 60 + 59) * 60_000,
    );
    expect(parseEventTime('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
  });

  it('refuses a time without an explicit offset, which would be read in the server’s zone', () => {
    expect(parseEventTime('2026-12-04T12:00:00')).toBeUndefined();
    expect(parseEventTime('2026-12-04')).toBeUndefined();
  });

  it('refuses other shapes Date.parse would read', () => {
    for (const s of [
      'Fri, 04 Dec 2026 12:00:00 GMT',
      '1764849600000',
      '2026-12-4T12:00:00Z',
      '2026-12-04T12:00Z',
      '2026-12-04T12:00:00.Z',
      '2026-12-04T12:00:00.1234567890Z',
      ' 2026-12-04T12:00:00Z',
      '2026-12-04T12:00:00Z ',
      'x2026-12-04T12:00:00Z',
      '2026-12-04T12:00:00+0100',
      '',
    ])
      expect(parseEventTime(s)).toBeUndefined();
  });

  it('refuses an hour, minute or second out of range, including a leap second', () => {
    expect(parseEventTime('2026-12-04T24:00:00Z')).toBeUndefined();
    expect(parseEventTime('2026-12-04T23:60:00Z')).toBeUndefined();
    expect(parseEventTime('2026-12-31T23:59:60Z')).toBeUndefined();
  });

  it('refuses an offset out of range', () => {
    expect(parseEventTime('2026-12-04T12:00:00+24:00')).toBeUndefined();
    expect(parseEventTime('2026-12-04T12:00:00-00:60')).toBeUndefined();
  });

  it('refuses a calendar date that does not exist instead of rolling it over', () => {
    expect(parseEventTime('2025-02-29T00:00:00Z')).toBeUndefined();
    expect(parseEventTime('2025-02-30T00:00:00Z')).toBeUndefined();
    expect(parseEventTime('2026-04-31T00:00:00Z')).toBeUndefined();
    expect(parseEventTime('2026-13-01T00:00:00Z')).toBeUndefined();
    expect(parseEventTime('2026-00-10T00:00:00Z')).toBeUndefined();
    expect(parseEventTime('2026-01-00T00:00:00Z')).toBeUndefined();
  });

  it('checks the date as written, not as shifted by the offset', () => {
    // 31 Dec 23:30 at −01:00 is 1 Jan in UTC: still a real date.
    expect(parseEventTime('2026-12-31T23:30:00-01:00')).toBe(Date.UTC(2027, 0, 1, 0, 30));
    expect(parseEventTime('2026-03-01T00:30:00+01:00')).toBe(Date.UTC(2026, 1, 28, 23, 30));
  });
});

describe('judging an event time against the clock', () => {
  it('allows five minutes of clock skew by default and never more than an hour', () => {
    expect(DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS).toBe(300);
    expect(MAX_EVENT_TIME_SKEW_SECONDS).toBe(3600);
    expect(latestAcceptedMs(NOW, 300)).toBe(NOW + 300_000);
  });

  it('accepts a time in the past or up to now plus the skew allowance, inclusive', () => {
    expect(judgeEventTime('2026-12-03T12:00:00Z', NOW, 300)).toEqual({
      verdict: 'accepted',
      atMs: NOW - 86_400_000,
    });
    expect(judgeEventTime(NOW_ISO, NOW, 300)).toEqual({ verdict: 'accepted', atMs: NOW });
    expect(judgeEventTime('2026-12-04T12:05:00.000Z', NOW, 300)).toEqual({
      verdict: 'accepted',
      atMs: NOW + 300_000,
    });
  });

  it('refuses a time one millisecond beyond the allowance as in the future, saying how far ahead', () => {
    expect(judgeEventTime('2026-12-04T12:05:00.001Z', NOW, 300)).toEqual({
      verdict: 'future',
      atMs: NOW + 300_001,
      aheadSeconds: 300,
    });
    expect(judgeEventTime('2026-12-05T12:00:00Z', NOW, 300)).toEqual({
      verdict: 'future',
      atMs: NOW + 86_400_000,
      aheadSeconds: 86_400,
    });
  });

  it('rounds how far ahead to the nearest second', () => {
    expect(judgeEventTime('2026-12-04T12:00:01.499Z', NOW, 0)).toMatchObject({ aheadSeconds: 1 });
    expect(judgeEventTime('2026-12-04T12:00:01.500Z', NOW, 0)).toMatchObject({ aheadSeconds: 2 });
  });

  it('uses the allowance it is given', () => {
    expect(judgeEventTime('2026-12-04T12:30:00Z', NOW, 3600).verdict).toBe('accepted');
    expect(judgeEventTime('2026-12-04T12:00:00.001Z', NOW, 0).verdict).toBe('future');
  });

  it('refuses an unreadable time, quoting at most its first 64 characters', () => {
    expect(judgeEventTime('yesterday', NOW, 300)).toEqual({
      verdict: 'invalid',
      detail: "'yesterday' is not an RFC 3339 time",
    });
    const long = `2026-12-04T12:00:00Z${'x'.repeat(100)}`;
    expect(judgeEventTime(long, NOW, 300)).toEqual({
      verdict: 'invalid',
      detail: `'${long.slice(0, 64)}' is not an RFC 3339 time`,
    });
  });
});
