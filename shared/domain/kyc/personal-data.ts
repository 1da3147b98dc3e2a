/**
 * Splits an inquiry's attributes into what may be stored in clear (ids, status, lifecycle times) and
 * everything else, which is treated as personal data (names, birth date, address, document numbers, the
 * `fields` map, notes...) and only ever stored encrypted. An allow-list, so a new Persona attribute is
 * protected by default.
 */
const CLEAR_ATTRIBUTES = new Set([
  'status',
  'referenceId',
  'createdAt',
  'updatedAt',
  'startedAt',
  'completedAt',
  'failedAt',
  'expiredAt',
  'expiresAt',
  'decisionedAt',
  'markedForReviewAt',
  'redactedAt',
  'previousStepName',
  'nextStepName',
  'tags',
]);

export interface PersonalDataSplit {
  clear: Record<string, unknown>;
  /** undefined when the payload carries no personal data. */
  personal?: Record<string, unknown>;
}

function present(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** `included` (verifications, reports, accounts) is personal as a whole: it repeats names and documents. */
export function splitPersonalData(
  attributes: Record<string, unknown> | undefined,
  included: unknown[] | undefined,
): PersonalDataSplit {
  const clear: Record<string, unknown> = {};
  const personal: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attributes ?? {})) {
    if (CLEAR_ATTRIBUTES.has(k)) clear[k] = v;
    else if (present(v)) personal[k] = v;
  }
  if (included && included.length) personal.included = included;
  return Object.keys(personal).length ? { clear, personal } : { clear };
}
