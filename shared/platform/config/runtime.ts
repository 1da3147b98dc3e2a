/**
 * Runtime configuration, read and validated once per cold start. Every problem is reported at once, so a
 * misconfigured deployment fails with one message naming all missing or invalid variables.
 */
/** What every function's platform needs: project, environment, warehouse and logging. */
export interface RuntimeConfig {
  projectId: string;
  environment: 'local' | 'dev' | 'staging' | 'prod';
  warehouse: 'bigquery' | 'duckdb';
  duckdbPath: string;
  bigqueryLocation?: string;
  pubsubEmulatorHost?: string;
  firestoreEmulatorHost?: string;
  logLevel: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads one enumerated variable; problems accumulate so every mistake is reported at once. */
export function oneOf<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  allowed: readonly T[],
  fallback: T,
  problems: string[],
): T {
  const v = env[name] ?? fallback;
  if (!(allowed as readonly string[]).includes(v))
    problems.push(`${name} must be one of ${allowed.join(', ')} (got '${v}')`);
  return v as T;
}

/** Reads one bounded integer variable into `problems` style (see oneOf). */
export function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    problems.push(`${name} must be an integer in [${min}, ${max}] (got '${raw}')`);
  return n;
}

export const ENVIRONMENTS = ['local', 'dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * ENVIRONMENT, read the same way by every area's configuration. It defaults to `local` (the local stack), except
 * on Cloud Run, which every deployed function runs on (it sets K_SERVICE): there it must be set, and never to
 * `local`, so a missing setting can never switch a deployed function to local authentication or secrets.
 */
export function environmentOf(env: NodeJS.ProcessEnv, problems: string[]): Environment {
  const deployed = Boolean(env.K_SERVICE);
  if (deployed && !env.ENVIRONMENT) {
    problems.push('ENVIRONMENT is not set (required on Cloud Run: dev, staging or prod)');
    return 'prod';
  }
  const environment = oneOf(env, 'ENVIRONMENT', ENVIRONMENTS, 'local', problems);
  if (deployed && environment === 'local') {
    problems.push('ENVIRONMENT=local is refused on Cloud Run (K_SERVICE is set)');
    return 'prod';
  }
  return environment;
}

/**
 * The base URL of a service we call (Persona, Pyth Hermes, SendGrid, Twilio): an http(s) URL, and https outside
 * the local stack, whose providers are local servers on plain http. Trailing slashes are kept as given.
 */
export function serviceUrl(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: string | undefined,
  environment: Environment,
  problems: string[],
): string | undefined {
  const v = env[name] || fallback;
  if (v === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(v).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'https:' && protocol !== 'http:')
    problems.push(`${name} must be an http(s) URL (got '${v}')`);
  else if (environment !== 'local' && protocol !== 'https:')
    problems.push(`${name} must use https outside ENVIRONMENT=local`);
  return v;
}

/** Browser origins allowed to call an API (CORS), exact matches: https, or http in the local stack. */
export function browserOrigins(
  env: NodeJS.ProcessEnv,
  name: string,
  environment: Environment,
  problems: string[],
): string[] {
  const origins = (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const isOrigin = (o: string): boolean => {
    try {
      const u = new URL(o);
      return (
        (u.protocol === 'https:' || (environment === 'local' && u.protocol === 'http:')) && u.origin === o
      );
    } catch {
      return false;
    }
  };
  for (const o of origins)
    if (!isOrigin(o)) problems.push(`${name}: '${o}' is not an https origin (scheme://host[:port])`);
  return origins;
}

export interface CallerAuthConfig {
  /** google: verify the caller's Google ID token; local: `Bearer local:<identity>` (local stack only). */
  auth: 'google' | 'local';
  /** The ID-token audience the function expects (its own URL). */
  audience?: string;
}

/**
 * How a private HTTP function identifies its caller, from `<prefix>_AUTH` and `<prefix>_AUDIENCE`. Only the
 * function that verifies callers reads it, so no other function needs these variables.
 */
export function readCallerAuth(env: NodeJS.ProcessEnv, prefix: string): CallerAuthConfig {
  const problems: string[] = [];
  const environment = environmentOf(env, problems);
  const authVar = `${prefix}_AUTH`;
  const audienceVar = `${prefix}_AUDIENCE`;
  const auth = oneOf(
    env,
    authVar,
    ['google', 'local'] as const,
    environment === 'local' ? 'local' : 'google',
    problems,
  );
  if (auth === 'local' && environment !== 'local')
    problems.push(`${authVar}=local is only for ENVIRONMENT=local`);
  const audience = env[audienceVar] || undefined;
  if (auth === 'google' && !audience)
    problems.push(`${audienceVar} is not set (required with ${authVar}=google)`);
  if (problems.length) throw new ConfigError(problems);
  return { auth, audience };
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const problems: string[] = [];
  const projectId = env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT ?? '';
  if (!projectId) problems.push('GOOGLE_CLOUD_PROJECT is not set');
  const environment = environmentOf(env, problems);
  const warehouse = oneOf(
    env,
    'WAREHOUSE',
    ['bigquery', 'duckdb'] as const,
    environment === 'local' ? 'duckdb' : 'bigquery',
    problems,
  );
  if (environment !== 'local' && warehouse === 'duckdb')
    problems.push('WAREHOUSE=duckdb is only for ENVIRONMENT=local');
  const config: RuntimeConfig = {
    projectId,
    environment,
    warehouse,
    duckdbPath: env.WAREHOUSE_DUCKDB_PATH ?? ':memory:',
    bigqueryLocation: env.BIGQUERY_LOCATION,
    pubsubEmulatorHost: env.PUBSUB_EMULATOR_HOST,
    firestoreEmulatorHost: env.FIRESTORE_EMULATOR_HOST,
    logLevel: oneOf(env, 'LOG_LEVEL', ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const, 'INFO', problems),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
