/**
 * Two kinds of failure (DESIGN §2): permanent ones (bad input, failed signature, schema violation) are logged,
 * dead-lettered and acknowledged, never retried; anything else is transient and thrown so Pub/Sub retries,
 * bounded by the subscription's dead-letter policy.
 */
export class PermanentError extends Error {
  constructor(
    message: string,
    readonly reason = 'permanent',
  ) {
    super(message);
    this.name = 'PermanentError';
  }
}

/** Work that could not be done now but will succeed later (contention, a lease held elsewhere). */
export class RetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableError';
  }
}

/** Permanent by type, or by an error's own `permanent` flag (e.g. a warehouse refusing invalid rows). */
export function isPermanent(err: unknown): boolean {
  return (
    err instanceof PermanentError ||
    (typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true)
  );
}
