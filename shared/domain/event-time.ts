/**
 * Event times from outside (a transaction's occurredAt, a position update's updatedAt, a Persona event's
 * created-at) order and prune state: the newest one becomes the reference later events are compared with. One
 * dated in the future would silence every real event after it, so a time later than now plus a small allowance
 * for clock skew is refused, never used. Pure: the caller brings the clock.
 */

/** Allowance for an upstream clock running ahead of ours (EVENT_TIME_MAX_SKEW_SECONDS). */
export const DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS = 300;
/** Beyond an hour the allowance would let a wrong clock reorder an hour of real events. */
export const MAX_EVENT_TIME_SKEW_SECONDS = 3600;

export type EventTimeVerdict =
  | { verdict: 'accepted'; atMs: number }
  | { verdict: 'invalid'; detail: string }
  | { verdict: 'future'; atMs: number; aheadSeconds: number };

// RFC 3339 with an explicit offset: a time without one would be read in the server's zone.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * Epoch ms of an RFC 3339 time, or undefined. Stricter than Date.parse, which reads many other shapes and rolls
 * 31 February over into March; a leap second (…:60, valid for the schema) cannot be placed and is refused too.
 */
export function parseEventTime(iso: string): number | undefined {
  const m = RFC3339.exec(iso);
  if (!m) return undefined;
  const [, y, mo, d, h] = m;
  // Date.parse refuses minute or second 60 and offsets past 23:59, but reads hour 24 as the next midnight.
  if (Number(h) > 23) return undefined;
  const ms = Date.parse(iso.replace(' ', 'T'));
  if (!Number.isFinite(ms)) return undefined;
  // The calendar date must exist: Date rolls 2025-02-30 into March 2, so the day of the month comes back changed.
  const day = new Date(0);
  day.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  if (day.getUTCDate() !== Number(d)) return undefined;
  return ms;
}

/** The latest event time accepted at `nowMs`. */
export function latestAcceptedMs(nowMs: number, maxSkewSeconds: number): number {
  return nowMs + maxSkewSeconds * 1000;
}

/** Accepted up to now + maxSkewSeconds (inclusive); later is future, unreadable is invalid. */
export function judgeEventTime(iso: string, nowMs: number, maxSkewSeconds: number): EventTimeVerdict {
  const atMs = parseEventTime(iso);
  if (atMs === undefined)
    return { verdict: 'invalid', detail: `'${iso.slice(0, 64)}' is not an RFC 3339 time` };
  if (atMs > latestAcceptedMs(nowMs, maxSkewSeconds))
    return { verdict: 'future', atMs, aheadSeconds: Math.round((atMs - nowMs) / 1000) };
  return { verdict: 'accepted', atMs };
}
