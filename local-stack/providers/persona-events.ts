/**
 * Persona webhook events as Persona builds them (JSON:API, kebab-case keys by default): an `event` whose
 * payload is the inquiry at the time of the event. Used by the local Persona server, tests and benchmarks.
 */
import { randomBytes } from 'node:crypto';

export interface InquiryState {
  id: string;
  status: string;
  referenceId: string | null;
  templateId: string;
  createdAt: string;
  /** Personal attributes the user entered (name-first, birthdate, address-street-1, ...). */
  personal?: Record<string, unknown>;
}

export type KeyInflection = 'kebab' | 'camel' | 'snake';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A Persona-shaped id: prefix and 24 base58-ish characters. */
export function personaId(
  prefix: 'inq' | 'evt' | 'itmpl' | 'ver',
  random: () => number = Math.random,
): string {
  let s = '';
  const bytes = random === Math.random ? randomBytes(24) : undefined;
  for (let i = 0; i < 24; i++)
    s += ALPHABET[bytes ? bytes[i] % ALPHABET.length : Math.floor(random() * ALPHABET.length)];
  return `${prefix}_${s}`;
}

/**
 * Persona's status after an event, for the inquiry attributes. Kept here on purpose rather than imported from
 * the domain's own map (shared/domain/kyc/case.ts): this server plays Persona, and a shared table would let a
 * mistake in the domain's reading of Persona pass the tests that are meant to catch it.
 */
const STATUS_AFTER: Record<string, string> = {
  'inquiry.created': 'created',
  'inquiry.started': 'pending',
  'inquiry.completed': 'completed',
  'inquiry.failed': 'failed',
  'inquiry.expired': 'expired',
  'inquiry.marked-for-review': 'needs_review',
  'inquiry.approved': 'approved',
  'inquiry.declined': 'declined',
};

export function statusAfter(eventName: string): string | undefined {
  return STATUS_AFTER[eventName];
}

function inflect(key: string, to: KeyInflection): string {
  if (to === 'kebab') return key;
  if (to === 'snake') return key.replace(/-/g, '_');
  return key.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function inflectKeys(value: unknown, to: KeyInflection): unknown {
  if (Array.isArray(value)) return value.map((v) => inflectKeys(v, to));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [inflect(k, to), inflectKeys(v, to)]),
  );
}

export interface EventOptions {
  eventId?: string;
  name: string;
  createdAt: string;
  inquiry: InquiryState;
  inflection?: KeyInflection;
}

export function personaInquiryEvent(o: EventOptions): Record<string, unknown> {
  const i = o.inquiry;
  const decided = ['approved', 'declined'].includes(i.status) ? o.createdAt : null;
  const event = {
    data: {
      type: 'event',
      id: o.eventId ?? personaId('evt'),
      attributes: {
        name: o.name,
        'created-at': o.createdAt,
        'redacted-at': null,
        payload: {
          data: {
            type: 'inquiry',
            id: i.id,
            attributes: {
              status: i.status,
              'reference-id': i.referenceId,
              'created-at': i.createdAt,
              'completed-at': ['completed', 'approved', 'declined', 'needs_review'].includes(i.status)
                ? o.createdAt
                : null,
              'expired-at': i.status === 'expired' ? o.createdAt : null,
              'decisioned-at': decided,
              tags: [],
              ...(i.personal ?? {}),
            },
            relationships: {
              'inquiry-template': { data: { type: 'inquiry-template', id: i.templateId } },
              reports: { data: [] },
            },
          },
          included: [],
        },
      },
    },
  };
  return inflectKeys(event, o.inflection ?? 'kebab') as Record<string, unknown>;
}
