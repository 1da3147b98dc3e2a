/** Which of a recipient's channels an alert goes to: enabled channels with a contact, severity, quiet hours. */
import type { Channel, Contacts, Preferences, Severity } from './types';
import { severityRank } from './types';

export type ChannelSkip = 'below-min-severity' | 'quiet-hours' | 'no-contact';

export interface ChannelSelection {
  send: Channel[];
  skipped: { channel: Channel; reason: ChannelSkip }[];
}

/** Muted by default during quiet hours: the channels that wake people. Webhooks are read by machines. */
export const DEFAULT_QUIET_CHANNELS: readonly Channel[] = ['email', 'sms'];

function hasContact(contacts: Contacts, channel: Channel): boolean {
  if (channel === 'email') return Boolean(contacts.email);
  if (channel === 'sms') return Boolean(contacts.phone);
  return Boolean(contacts.webhook?.url && contacts.webhook.secretName);
}

/** Minutes since local midnight of `at` in an IANA time zone (Intl, no tz database of our own). */
export function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value);
  return hour * 60 + minute;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Inside [start, end) local time; a window may cross midnight (22:00–07:00). start = end means none. */
export function inQuietHours(at: Date, quiet: NonNullable<Preferences['quietHours']>): boolean {
  const now = localMinutes(at, quiet.timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * Critical alerts bypass quiet hours (never the severity floor: a recipient who asked for CRITICAL only
 * gets only those). Quiet hours mute rather than defer: there is no scheduler to hold a message until
 * morning, and the alert is still in the warehouse and on the other channels.
 */
export function selectChannels(
  prefs: Preferences,
  contacts: Contacts,
  severity: Severity,
  at: Date,
): ChannelSelection {
  const out: ChannelSelection = { send: [], skipped: [] };
  const quiet = prefs.quietHours && severity !== 'CRITICAL' && inQuietHours(at, prefs.quietHours);
  const muted = prefs.quietHours?.channels ?? DEFAULT_QUIET_CHANNELS;
  for (const channel of prefs.channels) {
    if (!hasContact(contacts, channel)) out.skipped.push({ channel, reason: 'no-contact' });
    else if (severityRank(severity) < severityRank(prefs.minSeverity))
      out.skipped.push({ channel, reason: 'below-min-severity' });
    else if (quiet && muted.includes(channel)) out.skipped.push({ channel, reason: 'quiet-hours' });
    else out.send.push(channel);
  }
  return out;
}
