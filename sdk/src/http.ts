import { fullJitterDelay, type Sleep } from './backoff.js';
import { ConnectionError, errorForStatus, RiskApiError } from './errors.js';
import type { ApiError } from './generated/api-types.js';

/** A fixed token, or a function asked before every request because ID tokens expire (about an hour). */
export type TokenSource = string | (() => string | Promise<string>);

export interface Transport {
  token: TokenSource;
  fetch: typeof fetch;
  timeoutMs: number;
  maxRetries: number;
  random: () => number;
  sleep: Sleep;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** checkRisk's idempotency key, attached to errors so the caller can retry the same decision. */
  requestId?: string;
}

const RETRY_BASE_MS = 250;
const RETRY_CAP_MS = 5_000;
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
// A keep-alive socket the server already closed fails at once with one of these; a fresh socket will do.
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

export async function resolveToken(token: TokenSource): Promise<string> {
  const value = typeof token === 'function' ? await token() : token;
  if (typeof value !== 'string' || value === '') throw new TypeError('token must be a non-empty string');
  return value;
}

/** Seconds from a Retry-After header (delta seconds or an HTTP date). */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

function isApiError(body: unknown): body is ApiError {
  return typeof body === 'object' && body !== null && typeof (body as ApiError).error === 'string';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Maps an HTTP refusal to its typed error; the token is scrubbed in case a server echoes it. */
export function errorFromResponse(
  status: number,
  headers: Headers,
  text: string,
  request: { url: string; token?: string; requestId?: string },
): RiskApiError {
  const body = parseJson(text);
  const apiError = isApiError(body) ? body : undefined;
  const retryAfterSeconds = parseRetryAfter(headers.get('retry-after')) ?? apiError?.retryAfterSeconds;
  let message = `${apiError?.error ?? `HTTP ${status}`} (${status}${apiError ? ` ${apiError.code}` : ''})`;
  // Real tokens are long; scrubbing a very short one would only mangle the message.
  if (request.token && request.token.length >= 8) message = message.split(request.token).join('[redacted]');
  return errorForStatus(message, {
    status,
    code: apiError?.code ?? 'HTTP_ERROR',
    problems: apiError?.problems,
    retryAfterSeconds,
    requestUrl: request.url,
    requestId: request.requestId,
  });
}

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

async function sendOnce(transport: Transport, request: HttpRequest, token: string): Promise<RawResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), transport.timeoutMs);
  try {
    const response = await transport.fetch(request.url, {
      method: request.method,
      headers: { ...request.headers, Authorization: `Bearer ${token}`, Accept: 'application/json' },
      body: request.body,
      signal: controller.signal,
    });
    // The timeout covers the body too: a server may stall after the headers.
    return { status: response.status, headers: response.headers, text: await response.text() };
  } catch (cause) {
    const timedOut = controller.signal.aborted;
    const reason = timedOut ? `timed out after ${transport.timeoutMs} ms` : 'failed to connect';
    throw new ConnectionError(`${request.method} ${request.url} ${reason}`, {
      status: 0,
      code: timedOut ? 'TIMEOUT' : 'CONNECTION_FAILED',
      requestUrl: request.url,
      requestId: request.requestId,
      cause,
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends a request, retrying what may succeed on a second try: network failures, 429 (after Retry-After)
 * and 502/503/504, with full-jitter backoff. Only called for idempotent requests.
 */
export async function sendWithRetries<T>(transport: Transport, request: HttpRequest): Promise<T> {
  let staleSocketRetried = false;
  for (let attempt = 0; ; attempt++) {
    const token = await resolveToken(transport.token);
    let response: RawResponse;
    try {
      response = await sendOnce(transport, request, token);
    } catch (error) {
      const stale = causeCodes(error).some((code) => STALE_SOCKET_CODES.has(code));
      if (stale && !staleSocketRetried) {
        staleSocketRetried = true;
        attempt--; // an immediate retry that does not count against maxRetries
        continue;
      }
      if (attempt >= transport.maxRetries) throw error;
      await transport.sleep(fullJitterDelay(attempt, RETRY_BASE_MS, RETRY_CAP_MS, transport.random));
      continue;
    }
    if (response.status >= 200 && response.status < 300) {
      const body = parseJson(response.text);
      if (body === undefined) {
        throw new RiskApiError(`${request.method} ${request.url}: the response is not JSON`, {
          status: response.status,
          code: 'INVALID_RESPONSE',
          requestUrl: request.url,
          requestId: request.requestId,
        });
      }
      return body as T;
    }
    const error = errorFromResponse(response.status, response.headers, response.text, { ...request, token });
    if (!RETRYABLE_STATUSES.has(response.status) || attempt >= transport.maxRetries) throw error;
    const delay =
      error.retryAfterSeconds !== undefined
        ? error.retryAfterSeconds * 1000
        : fullJitterDelay(attempt, RETRY_BASE_MS, RETRY_CAP_MS, transport.random);
    await transport.sleep(delay);
  }
}
