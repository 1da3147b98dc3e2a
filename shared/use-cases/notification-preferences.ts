/**
 * notificationPreferences: GET / PUT one recipient's preferences. The caller is identified by a verified
 * token (a Google ID token in production) and may act on a recipient whose `principal` is their own
 * identity, or on any recipient when listed as an administrator. The handler has validated the body against
 * inputs/notification-preferences; this checks what the schema cannot say (a real time zone, a contact point
 * for every channel). Outcomes are domain outcomes; the HTTP handler maps them to status codes.
 */
import { isValidTimeZone } from '../domain/notifications/preferences';
import {
  NOTIFICATION_COLLECTIONS as C,
  type Channel,
  type Preferences,
  type RecipientDoc,
} from '../domain/notifications/types';
import type { Clock } from '../ports/clock';
import type { DocumentStore } from '../ports/document-store';
import type { Logger } from '../ports/logger';
import type { Principal } from '../ports/caller-identity';

export type { Principal } from '../ports/caller-identity';

export interface PreferencesDeps {
  store: DocumentStore;
  clock: Clock;
  logger: Logger;
  /** Identities allowed to read and change every recipient's preferences (the operations desk). */
  admins: string[];
}

export type PreferencesOutcome =
  | { kind: 'ok'; recipientId: string; preferences: Preferences; availableChannels: Channel[] }
  /** The preferences are well-formed but cannot apply to this recipient. */
  | { kind: 'invalid'; problems: string[] }
  /** Not the caller's own recipient (or absent, which a non-administrator is not told). */
  | { kind: 'forbidden' }
  | { kind: 'not-found'; recipientId: string };

function availableChannels(doc: RecipientDoc): Channel[] {
  const c = doc.contacts ?? {};
  return [
    ...(c.email ? (['email'] as const) : []),
    ...(c.phone ? (['sms'] as const) : []),
    ...(c.webhook ? (['webhook'] as const) : []),
  ];
}

async function authorised(
  deps: PreferencesDeps,
  principal: Principal,
  recipientId: string,
): Promise<{ doc: RecipientDoc } | PreferencesOutcome> {
  const doc = await deps.store.get<RecipientDoc>(C.recipients, recipientId);
  const admin = deps.admins.includes(principal.id);
  // The same answer for "absent" and "not yours" to non-admins: ids of others are not disclosed.
  if (!doc) return admin ? { kind: 'not-found', recipientId } : { kind: 'forbidden' };
  if (!admin && doc.principal !== principal.id) return { kind: 'forbidden' };
  return { doc };
}

export async function getPreferences(
  deps: PreferencesDeps,
  principal: Principal,
  recipientId: string,
): Promise<PreferencesOutcome> {
  const auth = await authorised(deps, principal, recipientId);
  if ('kind' in auth) return auth;
  return {
    kind: 'ok',
    recipientId,
    preferences: auth.doc.preferences,
    availableChannels: availableChannels(auth.doc),
  };
}

export async function putPreferences(
  deps: PreferencesDeps,
  principal: Principal,
  recipientId: string,
  prefs: Preferences,
): Promise<PreferencesOutcome> {
  const auth = await authorised(deps, principal, recipientId);
  if ('kind' in auth) return auth;
  const problems: string[] = [];
  if (prefs.quietHours && !isValidTimeZone(prefs.quietHours.timeZone))
    problems.push(`/quietHours/timeZone '${prefs.quietHours.timeZone}' is not an IANA time zone`);
  const available = availableChannels(auth.doc);
  for (const ch of prefs.channels)
    if (!available.includes(ch)) problems.push(`/channels ${ch} has no contact point on this recipient`);
  if (problems.length) return { kind: 'invalid', problems };
  // A transaction so a concurrent contact change is not overwritten by this preference write.
  await deps.store.runTransaction(async (tx) => {
    const current = await tx.get<RecipientDoc>(C.recipients, recipientId);
    if (current)
      tx.set(C.recipients, recipientId, {
        ...current,
        preferences: prefs,
        updatedAt: deps.clock.now().toISOString(),
      });
  });
  deps.logger.info('notification preferences updated', { recipientId, channels: prefs.channels });
  return { kind: 'ok', recipientId, preferences: prefs, availableChannels: available };
}
