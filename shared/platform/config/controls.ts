/**
 * Configuration of the risk controls' admin API (riskAdmin), read once per cold start; every problem is
 * reported at once. Roles are lists of verified identities (Google account e-mails): RISK_ADMINS change
 * policies and request or approve stop releases; RISK_OPERATORS engage stops. An admin may engage too, since
 * tightening is the safe direction.
 */
import { ConfigError, environmentOf, integer, readCallerAuth, type CallerAuthConfig } from './runtime';

export interface RiskAdminConfig extends CallerAuthConfig {
  admins: string[];
  operators: string[];
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Who may call riskAdmin (RISK_ADMIN_AUTH, RISK_ADMIN_AUDIENCE) and in which role. */
export function readRiskAdminConfig(env: NodeJS.ProcessEnv = process.env): RiskAdminConfig {
  const problems: string[] = [];
  let auth: CallerAuthConfig | undefined;
  try {
    auth = readCallerAuth(env, 'RISK_ADMIN');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const admins = list(env.RISK_ADMINS);
  const operators = list(env.RISK_OPERATORS);
  // An empty role list is allowed (nobody may act) but a malformed entry is a typo that would lock someone out.
  for (const [name, ids] of [
    ['RISK_ADMINS', admins],
    ['RISK_OPERATORS', operators],
  ] as const)
    for (const id of ids)
      if (!/^[^\s@]+@[^\s@]+$/.test(id)) problems.push(`${name}: '${id}' is not an e-mail`);
  if (problems.length || !auth) throw new ConfigError(problems);
  return { ...auth, admins, operators };
}

export interface CheckRiskConfig extends CallerAuthConfig {
  /** Identities allowed to call checkRisk; empty only locally, where every verified caller is allowed. */
  callers: string[];
  /** An approved action counts against the limits until its position update arrives, or this long. */
  reservationMs: number;
  stopsPollMs: number;
  /** Stop state older than this denies every risk-adding action (the 1 s stop promise). */
  stopsMaxStalenessMs: number;
  pricesPollMs: number;
  policyRefreshMs: number;
  /** How long an answer waits for the store before it is treated as unreachable (fail closed). */
  storeTimeoutMs: number;
}

/**
 * checkRisk: who may call it (RISK_CHECK_CALLERS; the ID token per RISK_CHECK_AUTH, RISK_CHECK_AUDIENCE) and how
 * fresh its in-memory state must be.
 */
export function readCheckRiskConfig(env: NodeJS.ProcessEnv = process.env): CheckRiskConfig {
  const problems: string[] = [];
  const environment = environmentOf(env, problems);
  let auth: CallerAuthConfig | undefined;
  try {
    auth = readCallerAuth(env, 'RISK_CHECK');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const callers = list(env.RISK_CHECK_CALLERS);
  // Fail closed: a deployment that names nobody would otherwise have to let everybody in.
  if (callers.length === 0 && environment !== 'local')
    problems.push(
      'RISK_CHECK_CALLERS is not set (the identities allowed to call checkRisk, comma-separated)',
    );
  const stopsPollMs = integer(env, 'RISK_CHECK_STOPS_POLL_MS', 200, 50, 500, problems);
  const stopsMaxStalenessMs = integer(env, 'RISK_CHECK_STOPS_MAX_STALENESS_MS', 1000, 200, 1000, problems);
  if (stopsPollMs * 2 > stopsMaxStalenessMs)
    problems.push('RISK_CHECK_STOPS_POLL_MS must be at most half of RISK_CHECK_STOPS_MAX_STALENESS_MS');
  const config = {
    callers,
    reservationMs: integer(env, 'RISK_CHECK_RESERVATION_SECONDS', 60, 5, 3600, problems) * 1000,
    stopsPollMs,
    stopsMaxStalenessMs,
    pricesPollMs: integer(env, 'RISK_CHECK_PRICES_POLL_MS', 1000, 100, 10_000, problems),
    policyRefreshMs: integer(env, 'RISK_CHECK_POLICY_REFRESH_SECONDS', 10, 1, 10, problems) * 1000,
    storeTimeoutMs: integer(env, 'RISK_CHECK_STORE_TIMEOUT_MS', 5000, 100, 9000, problems),
  };
  if (problems.length || !auth) throw new ConfigError(problems);
  return { ...auth, ...config };
}
