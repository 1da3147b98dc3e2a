/**
 * De-duplication policy: the same alert kind for the same subject and recipient within the window is
 * suppressed, unless it escalates. The state is one small document per (kind, subject, recipient), read and
 * written in one Firestore transaction by the fan-out, so duplicates arriving at the same instant on two
 * instances cannot both pass. Pure: the caller does the I/O.
 */
import type { Channel, NormalizedAlert } from './types';

export const DEFAULT_DEDUP_WINDOW_MS = 5 * 60_000;

/** What was sent recently for one (kind, subject, recipient). */
export interface DedupState {
  [key: string]: unknown;
  lastSentAt: number;
  lastLevel: number;
  /** Alerts already let through inside the window, with the channels they were granted (redelivery). */
  recent: { alertId: string; at: number; channels: Channel[] }[];
}

export type DedupDecision =
  | { verdict: 'send'; reason: 'first' | 'window-elapsed' | 'escalation' | 'higher-level' }
  | { verdict: 'resend'; channels: Channel[]; at: number }
  | { verdict: 'suppress'; reason: 'duplicate'; previousAlertId: string };

export function dedupDecision(
  state: DedupState | undefined,
  alert: Pick<NormalizedAlert, 'alertId' | 'level' | 'escalation'>,
  now: number,
  windowMs = DEFAULT_DEDUP_WINDOW_MS,
): DedupDecision {
  // The same alert again (Pub/Sub redelivery, a retry after a failed publish): same decision, same channels.
  const seen = state?.recent.find((r) => r.alertId === alert.alertId);
  if (seen) return { verdict: 'resend', channels: seen.channels, at: seen.at };
  if (!state) return { verdict: 'send', reason: 'first' };
  if (alert.escalation) return { verdict: 'send', reason: 'escalation' };
  if (now - state.lastSentAt >= windowMs) return { verdict: 'send', reason: 'window-elapsed' };
  if (alert.level > state.lastLevel) return { verdict: 'send', reason: 'higher-level' };
  const previous = state.recent[state.recent.length - 1];
  return { verdict: 'suppress', reason: 'duplicate', previousAlertId: previous?.alertId ?? '' };
}

/**
 * Records that an alert was let through with no channel (a duplicate, or every channel rate-limited): the
 * decision is made once per alert, so its redelivery after the window does not send it after all.
 */
export function recordSuppressed(
  state: DedupState | undefined,
  alertId: string,
  now: number,
  windowMs = DEFAULT_DEDUP_WINDOW_MS,
): DedupState {
  const keep = (state?.recent ?? []).filter((r) => now - r.at < 4 * windowMs).slice(-19);
  return {
    lastSentAt: state?.lastSentAt ?? 0,
    lastLevel: state?.lastLevel ?? -1,
    recent: [...keep, { alertId, at: now, channels: [] }],
  };
}

/** Records a send; entries older than the window (kept at least for redelivery checks) are dropped. */
export function recordSend(
  state: DedupState | undefined,
  alert: Pick<NormalizedAlert, 'alertId' | 'level'>,
  channels: Channel[],
  now: number,
  windowMs = DEFAULT_DEDUP_WINDOW_MS,
): DedupState {
  // Redeliveries can come later than the window: keep ids for a few windows, bounded in number.
  const keep = (state?.recent ?? []).filter((r) => now - r.at < 4 * windowMs).slice(-19);
  return {
    lastSentAt: now,
    lastLevel: alert.level,
    recent: [...keep, { alertId: alert.alertId, at: now, channels }],
  };
}
