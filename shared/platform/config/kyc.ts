/**
 * Configuration of the KYC functions, read and validated once per cold start in the same all-problems-at-once
 * style as config.ts. Each function reads only its own part, so neither needs (or is granted) the other's.
 */
import { DEFAULT_PERSONA_WEBHOOK_CONFIG } from '../../domain/kyc/webhook-config';
import {
  ConfigError,
  environmentOf,
  integer,
  readCallerAuth,
  type CallerAuthConfig,
  type Environment,
  serviceUrl,
} from './runtime';

/** personaWebhook: it verifies signatures and encrypts personal data; it never calls Persona's API. */
export interface PersonaWebhookConfig {
  environment: Environment;
  /** Cloud KMS key (projects/…/locations/…/keyRings/…/cryptoKeys/…) wrapping personal-data keys. */
  kmsKeyName?: string;
  webhookToleranceSeconds: number;
  webhookMaxBodyBytes: number;
}

/** startKyc: it calls Persona's API and reads decided cases; it stores no personal data. */
export interface PersonaApiConfig {
  environment: Environment;
  personaApiUrl: string;
  /** Persona API version pinned per request (Persona-Version header). */
  personaVersion: string;
  inquiryTemplateId: string;
  personaTimeoutMs: number;
  /** How long a decided KYC result is served from the case instead of opening a new inquiry. */
  cacheHours: number;
}

const KMS_KEY = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;

/**
 * The KYC key (KYC_KMS_KEY_NAME) every function that handles customers' personal data encrypts with; required
 * outside the local stack, which uses a development key instead.
 */
export function kycKeyName(
  env: NodeJS.ProcessEnv,
  environment: Environment,
  problems: string[],
): string | undefined {
  const kmsKeyName = env.KYC_KMS_KEY_NAME || undefined;
  if (kmsKeyName && !KMS_KEY.test(kmsKeyName))
    problems.push(
      `KYC_KMS_KEY_NAME must be projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k> (got '${kmsKeyName}')`,
    );
  if (!kmsKeyName && environment !== 'local')
    problems.push('KYC_KMS_KEY_NAME is not set (required outside ENVIRONMENT=local)');
  return kmsKeyName;
}

export function readPersonaWebhookConfig(env: NodeJS.ProcessEnv = process.env): PersonaWebhookConfig {
  const problems: string[] = [];
  const environment = environmentOf(env, problems);
  const kmsKeyName = kycKeyName(env, environment, problems);
  const config: PersonaWebhookConfig = {
    environment,
    kmsKeyName,
    webhookToleranceSeconds: integer(
      env,
      'PERSONA_WEBHOOK_TOLERANCE_SECONDS',
      DEFAULT_PERSONA_WEBHOOK_CONFIG.toleranceSeconds,
      1,
      3600,
      problems,
    ),
    webhookMaxBodyBytes: integer(
      env,
      'PERSONA_WEBHOOK_MAX_BODY_BYTES',
      DEFAULT_PERSONA_WEBHOOK_CONFIG.maxBodyBytes,
      1024,
      32 * 1024 * 1024,
      problems,
    ),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

export function readPersonaApiConfig(env: NodeJS.ProcessEnv = process.env): PersonaApiConfig {
  const problems: string[] = [];
  const environment = environmentOf(env, problems);
  const personaApiUrl =
    serviceUrl(env, 'PERSONA_API_URL', 'https://api.withpersona.com', environment, problems) ?? '';
  const inquiryTemplateId = env.PERSONA_INQUIRY_TEMPLATE_ID ?? (environment === 'local' ? 'itmpl_local' : '');
  if (!/^itmpl_[A-Za-z0-9]+$/.test(inquiryTemplateId))
    problems.push(`PERSONA_INQUIRY_TEMPLATE_ID must be an itmpl_… id (got '${inquiryTemplateId}')`);
  const personaVersion = env.PERSONA_VERSION ?? '2025-10-27';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(personaVersion))
    problems.push(`PERSONA_VERSION must be a date YYYY-MM-DD (got '${personaVersion}')`);
  const config: PersonaApiConfig = {
    environment,
    personaApiUrl: personaApiUrl.replace(/\/+$/, ''),
    personaVersion,
    inquiryTemplateId,
    personaTimeoutMs: integer(env, 'PERSONA_API_TIMEOUT_MS', 10_000, 100, 60_000, problems),
    cacheHours: integer(env, 'KYC_CACHE_HOURS', 24, 0, 24 * 30, problems),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** How startKyc identifies its caller (only startKyc reads it, so personaWebhook needs none of it). */
export function readStartKycAuthConfig(env: NodeJS.ProcessEnv = process.env): CallerAuthConfig {
  return readCallerAuth(env, 'KYC_START');
}
