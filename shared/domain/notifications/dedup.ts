/**
 * De-duplication policy: the same alert kind for the same subject and recipient within the window is
 * suppressed, unless it escalates. The state is one small document per (kind, subject, recipient), read and
 * written in one Firestore transaction by the fan-out, so duplicates arriving at the same instant on two
 * instances cannot both pass. It compares different alerts only: a redelivery of one alert is answered from
 * the fan-out's decision record before this policy is asked (a bounded history cannot tell it apart from a
 * duplicate). Pure: the caller does the I/O.
 */
import type { Channel, NormalizedAlert } from './types';

export const DEFAULT_DEDUP_WINDOW_MS = 5 * 60_000;

/** What was sent recently for one (kind, subject, recipient). */
export interface DedupState {
  [key: string]: unknown;
  lastSentAt: number;
  lastLevel: number;
  /** The latest alerts of the kind, sent or suppressed: bounded, so never a way to recognise a redelivery. */
  recent: { alertId: string; at: number; channels: Channel[] }[];
}

export type DedupDecision =
  | { verdict: 'send'; reason: 'first' | 'window-elapsed' | 'escalation' | 'higher-level' }
  | { verdict: 'suppress'; reason: 'duplicate'; previousAlertId: string };

export function dedupDecision(
  state: DedupState | undefined,
  alert: Pick<NormalizedAlert, 'alertId' | 'level' | 'escalation'>,
  now: number,
  windowMs = DEFAULT_DEDUP_WINDOW_MS,
): DedupDecision {
  if (!state) return { verdict: 'send', reason: 'first' };
  if (alert.escalation) return { verdict: 'send', reason: 'escalation' };
  if (now - state.lastSentAt >= windowMs) return { verdict: 'send', reason: 'window-elapsed' };
  if (alert.level > state.lastLevel) return { verdict: 'send', reason: 'higher-level' };
  const previous = state.recent[state.recent.length - 1];
  return { verdict: 'suppress', reason: 'duplicate', previousAlertId: previous?.alertId ?? '' };
}

/** Records an alert that got no channel (a duplicate, or every channel rate-limited): the window does not move. */
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

/** Records a send: the window starts again. The history keeps a few windows, at most 20 entries. */
export function recordSend(
  state: DedupState | undefined,
  alert: Pick<NormalizedAlert, 'alertId' | 'level'>,
  channels: Channel[],
  now: number,
  windowMs = DEFAULT_DEDUP_WINDOW_MS,
): DedupState {
  const keep = (state?.recent ?? []).filter((r) => now - r.at < 4 * windowMs).slice(-19);
  return {
    lastSentAt: now,
    lastLevel: alert.level,
    recent: [...keep, { alertId: alert.alertId, at: now, channels }],
  };
}
