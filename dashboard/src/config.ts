/** The runtime configuration (./config.json), checked once at start. Pure (no DOM). */

export interface DashboardConfig {
  /** riskApi's URL. */
  apiBaseUrl: string;
  auth: 'local' | 'google';
  googleClientId?: string;
  /** Local stack only: sign in as this identity without the form (the scenario's risk manager). */
  localIdentity?: string;
  deskId: string;
  /** The shock applied to non-stable assets for "collateral at risk" (−0.2: −20 %); the API's default when absent. */
  shockFraction?: number;
  /** Data older than this is marked stale. Default 180 s: ticks come every minute. */
  staleAfterSeconds: number;
  /** The alert stream's reconnect backoff cap. Default 15 s. */
  reconnectMaxMs: number;
  /** complianceCases' URL; without it the officers' page is not offered. */
  casesApiUrl?: string;
}

export class ConfigProblem extends Error {}

function field(raw: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(raw, name) ? raw[name] : undefined;
}

export function parseConfig(raw: unknown): DashboardConfig {
  if (typeof raw !== 'object' || raw === null) throw new ConfigProblem('config.json must be an object');
  const o = raw as Record<string, unknown>;
  const problems: string[] = [];
  const apiBaseUrl = field(o, 'apiBaseUrl');
  if (typeof apiBaseUrl !== 'string' || !/^https?:\/\//.test(apiBaseUrl))
    problems.push('apiBaseUrl must be an http(s) URL');
  const auth = field(o, 'auth');
  if (auth !== 'local' && auth !== 'google') problems.push("auth must be 'local' or 'google'");
  const googleClientId = field(o, 'googleClientId');
  if (auth === 'google' && (typeof googleClientId !== 'string' || googleClientId === ''))
    problems.push('googleClientId is required with auth google');
  const localIdentity = field(o, 'localIdentity');
  if (
    localIdentity !== undefined &&
    (auth !== 'local' || typeof localIdentity !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(localIdentity))
  )
    problems.push('localIdentity must be an e-mail, and only with auth local');
  const deskId = field(o, 'deskId') ?? 'default';
  if (typeof deskId !== 'string' || deskId === '') problems.push('deskId must be a non-empty string');
  const shockFraction = field(o, 'shockFraction');
  if (
    shockFraction !== undefined &&
    !(typeof shockFraction === 'number' && shockFraction >= -0.99 && shockFraction <= 0)
  )
    problems.push('shockFraction must be a number in [-0.99, 0]');
  const stale = field(o, 'staleAfterSeconds') ?? 180;
  if (!(typeof stale === 'number' && stale > 0)) problems.push('staleAfterSeconds must be a positive number');
  const reconnect = field(o, 'reconnectMaxMs') ?? 15_000;
  if (!(typeof reconnect === 'number' && reconnect >= 0))
    problems.push('reconnectMaxMs must be a number ≥ 0');
  const casesApiUrl = field(o, 'casesApiUrl');
  if (casesApiUrl !== undefined && (typeof casesApiUrl !== 'string' || !/^https?:\/\//.test(casesApiUrl)))
    problems.push('casesApiUrl must be an http(s) URL');
  if (problems.length) throw new ConfigProblem(`config.json: ${problems.join('; ')}`);
  return {
    apiBaseUrl: apiBaseUrl as string,
    auth: auth as 'local' | 'google',
    ...(typeof googleClientId === 'string' ? { googleClientId } : {}),
    ...(typeof localIdentity === 'string' ? { localIdentity } : {}),
    deskId: deskId as string,
    ...(typeof shockFraction === 'number' ? { shockFraction } : {}),
    staleAfterSeconds: stale as number,
    reconnectMaxMs: reconnect as number,
    ...(typeof casesApiUrl === 'string' ? { casesApiUrl } : {}),
  };
}
