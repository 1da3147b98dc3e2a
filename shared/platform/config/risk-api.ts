/**
 * Configuration of the read API (riskApi), read once per cold start; every problem is reported at once.
 *
 * RISK_API_ACCESS says who may read which desks: `identity=desk|desk;identity=*` (a `*` reads every desk and the
 * alerts that belong to none: AML, operations). Nobody is allowed by default outside the local stack, where an
 * empty setting lets every verified caller read everything.
 */
import { DEFAULT_SHOCK, type ShockSpec } from '../../domain/risk/shock';
import {
  browserOrigins,
  ConfigError,
  environmentOf,
  integer,
  readCallerAuth,
  type CallerAuthConfig,
} from './runtime';

export const ALL_DESKS = '*';

export interface RiskApiConfig extends CallerAuthConfig {
  /** identity → the desks it may read (or ALL_DESKS). */
  access: Map<string, ReadonlySet<string>>;
  /** Every verified caller reads everything (local stack only, when RISK_API_ACCESS is empty). */
  openAccess: boolean;
  /** Browser origins allowed to call (CORS); exact matches. */
  allowedOrigins: string[];
  /** Per caller and instance: sustained requests per minute, and the burst. */
  ratePerMinute: number;
  rateBurst: number;
  shock: ShockSpec;
  /** How often a stream looks for new alerts and portfolio updates. */
  streamPollMs: number;
  /** A stream that has sent nothing for this long sends a heartbeat. */
  heartbeatMs: number;
  /** A stream ends after this long (the client resumes from its cursor): no connection outlives a deploy by much. */
  streamMaxMs: number;
}

const DESK = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const ASSET = /^[A-Z][A-Z0-9]{1,9}$/;

function parseAccess(raw: string, problems: string[]): Map<string, ReadonlySet<string>> {
  const access = new Map<string, ReadonlySet<string>>();
  for (const entry of raw
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [who, desks, extra] = entry.split('=');
    if (extra !== undefined || !who || !desks) {
      problems.push(`RISK_API_ACCESS: '${entry}' is not identity=desk|desk`);
      continue;
    }
    const id = who.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(id)) problems.push(`RISK_API_ACCESS: '${id}' is not an e-mail`);
    const list = desks.split('|').map((d) => d.trim());
    for (const d of list)
      if (d !== ALL_DESKS && !DESK.test(d)) problems.push(`RISK_API_ACCESS: '${d}' is not a desk id`);
    access.set(id, new Set(list));
  }
  return access;
}

function parseShock(env: NodeJS.ProcessEnv, problems: string[]): ShockSpec {
  const raw = env.RISK_API_SHOCK_FRACTION;
  const fraction = raw === undefined || raw === '' ? DEFAULT_SHOCK.fraction : Number(raw);
  if (!(Number.isFinite(fraction) && fraction >= -0.99 && fraction <= 0))
    problems.push(`RISK_API_SHOCK_FRACTION must be a number in [-0.99, 0] (got '${raw}')`);
  const stable = env.RISK_API_STABLE_ASSETS;
  const stableAssets =
    stable === undefined || stable === ''
      ? [...DEFAULT_SHOCK.stableAssets]
      : stable.split(',').map((s) => s.trim());
  for (const a of stableAssets)
    if (!ASSET.test(a)) problems.push(`RISK_API_STABLE_ASSETS: '${a}' is not an asset`);
  return { fraction, stableAssets };
}

export function readRiskApiConfig(env: NodeJS.ProcessEnv = process.env): RiskApiConfig {
  const problems: string[] = [];
  const environment = environmentOf(env, problems);
  let auth: CallerAuthConfig | undefined;
  try {
    auth = readCallerAuth(env, 'RISK_API');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const access = parseAccess(env.RISK_API_ACCESS ?? '', problems);
  const allowedOrigins = browserOrigins(env, 'RISK_API_ALLOWED_ORIGINS', environment, problems);
  const ratePerMinute = integer(env, 'RISK_API_RATE_PER_MINUTE', 300, 1, 100_000, problems);
  const rateBurst = integer(env, 'RISK_API_RATE_BURST', 60, 1, 100_000, problems);
  const shock = parseShock(env, problems);
  const streamPollMs = integer(env, 'RISK_API_STREAM_POLL_MS', 500, 50, 10_000, problems);
  const heartbeatMs = integer(env, 'RISK_API_HEARTBEAT_MS', 5_000, 100, 60_000, problems);
  const streamMaxMs = integer(env, 'RISK_API_STREAM_MAX_MS', 300_000, 1_000, 3_300_000, problems);
  if (problems.length || !auth) throw new ConfigError(problems);
  return {
    ...auth,
    access,
    openAccess: environment === 'local' && access.size === 0,
    allowedOrigins,
    ratePerMinute,
    rateBurst,
    shock,
    streamPollMs,
    heartbeatMs,
    streamMaxMs,
  };
}
