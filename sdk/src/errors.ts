import type { ApiError } from './generated/api-types.js';

/** The server's codes plus the ones the SDK raises itself when there is no server answer to report. */
export type RiskErrorCode =
  ApiError['code'] | 'CONNECTION_FAILED' | 'TIMEOUT' | 'INVALID_RESPONSE' | 'HTTP_ERROR';

export interface RiskApiErrorDetails {
  status: number;
  code: RiskErrorCode;
  requestUrl: string;
  problems?: string[];
  retryAfterSeconds?: number;
  /** checkRisk only: the idempotency key to retry with after a 503 or a connection failure. */
  requestId?: string;
  cause?: unknown;
}

/** Every failure the SDK reports; branch on the subclass or on `code`. */
export class RiskApiError extends Error {
  // Explicit names survive minification (class names do not).
  override name = 'RiskApiError';
  readonly status: number;
  readonly code: RiskErrorCode;
  readonly problems: string[];
  readonly retryAfterSeconds: number | undefined;
  readonly requestUrl: string;
  readonly requestId: string | undefined;

  constructor(message: string, details: RiskApiErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.code = details.code;
    this.problems = details.problems ?? [];
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.requestUrl = details.requestUrl;
    this.requestId = details.requestId;
  }
}

/** 400: the request breaks the contract; `problems` lists each issue. Not retried. */
export class InvalidRequestError extends RiskApiError {
  override name = 'InvalidRequestError';
}
/** 401: the token is missing, expired or invalid. */
export class AuthenticationError extends RiskApiError {
  override name = 'AuthenticationError';
}
/** 403: the caller may not read this desk or portfolio. */
export class PermissionError extends RiskApiError {
  override name = 'PermissionError';
}
/** 404: no such portfolio or path. */
export class NotFoundError extends RiskApiError {
  override name = 'NotFoundError';
}
/** 410: the cursor is older than the alert retention; start again without it (and re-read the state). */
export class CursorExpiredError extends RiskApiError {
  override name = 'CursorExpiredError';
}
/** 429 after the retries ran out; `retryAfterSeconds` says when to try again. */
export class RateLimitedError extends RiskApiError {
  override name = 'RateLimitedError';
}
/** 5xx after the retries ran out. For checkRisk: treat as denied, retry later with `requestId`. */
export class ServiceUnavailableError extends RiskApiError {
  override name = 'ServiceUnavailableError';
}
/** No HTTP answer: the network failed or the request timed out. */
export class ConnectionError extends RiskApiError {
  override name = 'ConnectionError';
}

type ErrorClass = new (message: string, details: RiskApiErrorDetails) => RiskApiError;

const classByStatus: Record<number, ErrorClass> = {
  400: InvalidRequestError,
  401: AuthenticationError,
  403: PermissionError,
  404: NotFoundError,
  410: CursorExpiredError,
  429: RateLimitedError,
};

export function errorForStatus(message: string, details: RiskApiErrorDetails): RiskApiError {
  const ErrorType =
    classByStatus[details.status] ?? (details.status >= 500 ? ServiceUnavailableError : RiskApiError);
  return new ErrorType(message, details);
}
