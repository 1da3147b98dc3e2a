/** Network failures split by whether the request can have reached the provider. */
import type { ProviderResult } from '../../domain/notifications/delivery';

/** Codes raised before a byte was sent: the provider never saw the request. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function errorCode(err: unknown): string | null {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError' ? 'ETIMEDOUT' : null;
}

/** A request that failed without an HTTP answer. */
export function networkFailure(err: unknown): ProviderResult {
  const code = errorCode(err);
  const detail = (err as Error | undefined)?.message?.slice(0, 300) ?? 'network error';
  if (code && NOT_SENT.has(code)) return { outcome: 'retryable', status: null, code, detail };
  return { outcome: 'ambiguous', status: null, code, detail };
}
