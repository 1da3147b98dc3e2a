/**
 * notificationPreferences: GET / PUT one recipient's preferences. The caller is identified by a verified
 * token (a Google ID token in production) and may act on a recipient whose `principal` is their own
 * identity, or on any recipient when listed as an administrator. The body is validated against
 * inputs/notification-preferences plus what the schema cannot say (a real time zone, a contact point for
 * every channel). Results are typed so the HTTP entry point maps them to clear 4xx answers.
 */
import { isValidTimeZone } from '../domain/notifications/preferences';
import {
  NOTIFICATION_COLLECTIONS as C,
  type Channel,
  type Preferences,
  type RecipientDoc,
} from '../domain/notifications/types';
import { SchemaViolation, validate } from '../contracts/validation';
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

export type PreferencesResult =
  | { status: 200; body: { recipientId: string; preferences: Preferences; availableChannels: Channel[] } }
  | { status: 400; body: { error: string; problems: string[] } }
  | { status: 403; body: { error: string } }
  | { status: 404; body: { error: string } };

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
): Promise<{ doc: RecipientDoc } | PreferencesResult> {
  const doc = await deps.store.get<RecipientDoc>(C.recipients, recipientId);
  const admin = deps.admins.includes(principal.id);
  // The same answer for "absent" and "not yours" to non-admins: ids of others are not disclosed.
  if (!doc)
    return admin ? { status: 404, body: { error: `recipient ${recipientId} not found` } } : forbidden();
  if (!admin && doc.principal !== principal.id) return forbidden();
  return { doc };
}

const forbidden = (): PreferencesResult => ({
  status: 403,
  body: { error: 'you may only read or change your own notification preferences' },
});

export async function getPreferences(
  deps: PreferencesDeps,
  principal: Principal,
  recipientId: string,
): Promise<PreferencesResult> {
  const auth = await authorised(deps, principal, recipientId);
  if ('status' in auth) return auth;
  return {
    status: 200,
    body: { recipientId, preferences: auth.doc.preferences, availableChannels: availableChannels(auth.doc) },
  };
}

export async function putPreferences(
  deps: PreferencesDeps,
  principal: Principal,
  recipientId: string,
  body: unknown,
): Promise<PreferencesResult> {
  let prefs: Preferences;
  try {
    prefs = validate('inputs/notification-preferences', body);
  } catch (err) {
    if (err instanceof SchemaViolation)
      return { status: 400, body: { error: 'invalid notification preferences', problems: err.problems } };
    throw err;
  }
  const auth = await authorised(deps, principal, recipientId);
  if ('status' in auth) return auth;
  const problems: string[] = [];
  if (prefs.quietHours && !isValidTimeZone(prefs.quietHours.timeZone))
    problems.push(`/quietHours/timeZone '${prefs.quietHours.timeZone}' is not an IANA time zone`);
  const available = availableChannels(auth.doc);
  for (const ch of prefs.channels)
    if (!available.includes(ch)) problems.push(`/channels ${ch} has no contact point on this recipient`);
  if (problems.length) return { status: 400, body: { error: 'invalid notification preferences', problems } };
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
  return { status: 200, body: { recipientId, preferences: prefs, availableChannels: available } };
}
