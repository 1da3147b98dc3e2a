/**
 * What the HTTP APIs that browsers call from the dashboard's origin share (riskApi, complianceCases): the query
 * string in the use cases' form, and CORS answered by the function itself — a browser cannot pass an
 * IAM-protected function's preflight, which is why these functions check the ID token themselves.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import type { Query } from '../../shared/platform/query-params';

export function queryOf(req: Request): Query {
  const q: Query = {};
  for (const [k, v] of new URL(req.originalUrl || req.url, 'http://localhost').searchParams) {
    const prev = q[k];
    q[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return q;
}

export interface CorsPolicy {
  allowedOrigins: readonly string[];
  methods: string;
  headers: string;
  /** Response headers the page may read (e.g. Retry-After). */
  expose?: string;
}

/** CORS for the listed origins only; true when the request was a preflight and has been answered. */
export function answerCors(req: Request, res: Response, policy: CorsPolicy): boolean {
  const origin = req.get('origin');
  const ok = origin !== undefined && policy.allowedOrigins.includes(origin);
  res.vary('Origin');
  if (ok) {
    res.set('Access-Control-Allow-Origin', origin);
    if (policy.expose) res.set('Access-Control-Expose-Headers', policy.expose);
  }
  if (req.method !== 'OPTIONS') return false;
  if (ok) {
    res.set('Access-Control-Allow-Methods', policy.methods);
    res.set('Access-Control-Allow-Headers', policy.headers);
    res.set('Access-Control-Max-Age', '600');
  }
  res.status(204).end();
  return true;
}
