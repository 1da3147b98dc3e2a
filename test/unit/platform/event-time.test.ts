/** The event-time bound: strict parsing, the verdict at the skew boundary, and its one setting. */
import {
  DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS,
  judgeEventTime,
  parseEventTime,
} from '../../../shared/domain/event-time';
import { readEventTimeConfig } from '../../../shared/platform/config/event-time';
import { ConfigError } from '../../../shared/platform/config/runtime';

const NOW = Date.parse('2025-11-10T12:00:00Z');

describe('parseEventTime', () => {
  it('reads RFC 3339 times with an offset, to the millisecond', () => {
    expect(parseEventTime('2025-11-10T12:00:00Z')).toBe(NOW);
    expect(parseEventTime('2025-11-10T13:00:00.000+01:00')).toBe(NOW);
    expect(parseEventTime('2024-02-29T00:00:00Z')).toBe(Date.parse('2024-02-29T00:00:00Z'));
  });

  it('refuses what Date.parse would guess at: no offset, other shapes, impossible dates, leap seconds', () => {
    for (const s of [
      '2025-11-10T12:00:00',
      '2025-11-10',
      'Mon, 10 Nov 2025 12:00:00 GMT',
      '1762776000000',
      '2025-02-29T00:00:00Z',
      '2025-04-31T00:00:00Z',
      '2025-06-30T23:59:60Z',
      '2025-11-10T24:00:00Z',
      '+275760-09-13T00:00:00Z',
    ])
      expect([s, parseEventTime(s)]).toEqual([s, undefined]);
  });
});

describe('judgeEventTime', () => {
  it('accepts up to now plus the skew, inclusive, and refuses beyond it with how far ahead', () => {
    expect(judgeEventTime('2025-11-10T12:05:00Z', NOW, 300)).toEqual({
      verdict: 'accepted',
      atMs: NOW + 300_000,
    });
    expect(judgeEventTime('2025-11-10T12:05:01Z', NOW, 300)).toEqual({
      verdict: 'future',
      atMs: NOW + 301_000,
      aheadSeconds: 301,
    });
    expect(judgeEventTime('2020-01-01T00:00:00Z', NOW, 0).verdict).toBe('accepted');
    expect(judgeEventTime('2025-11-10T12:00:01Z', NOW, 0).verdict).toBe('future');
    expect(judgeEventTime('yesterday', NOW, 300)).toMatchObject({ verdict: 'invalid' });
  });
});

describe('readEventTimeConfig (evaluateAml, computePortfolioRisk, personaWebhook)', () => {
  it('defaults to 300 s and reads EVENT_TIME_MAX_SKEW_SECONDS within [0, 3600]', () => {
    expect(readEventTimeConfig({})).toEqual({ maxSkewSeconds: DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS });
    expect(DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS).toBe(300);
    expect(readEventTimeConfig({ EVENT_TIME_MAX_SKEW_SECONDS: '0' })).toEqual({ maxSkewSeconds: 0 });
    expect(readEventTimeConfig({ EVENT_TIME_MAX_SKEW_SECONDS: '3600' })).toEqual({ maxSkewSeconds: 3600 });
  });

  it('refuses a setting out of bounds or not an integer, naming it', () => {
    for (const v of ['3601', '-1', '1.5', 'five minutes']) {
      const err = (() => {
        try {
          readEventTimeConfig({ EVENT_TIME_MAX_SKEW_SECONDS: v });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        `EVENT_TIME_MAX_SKEW_SECONDS must be an integer in [0, 3600] (got '${v}')`,
      ]);
    }
  });
});
