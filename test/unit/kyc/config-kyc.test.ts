import { ConfigError } from '../../../shared/platform/config/runtime';
import {
  readPersonaApiConfig,
  readPersonaWebhookConfig,
  readStartKycAuthConfig,
} from '../../../shared/platform/config/kyc';

/** Both KYC readers together: what the two KYC functions read between them. */
const readKycConfig = (env: NodeJS.ProcessEnv) => {
  const problems: string[] = [];
  const read = <T>(f: (e: NodeJS.ProcessEnv) => T): Partial<T> => {
    try {
      return f(env);
    } catch (err) {
      problems.push(...(err as ConfigError).problems);
      return {};
    }
  };
  const merged = { ...read(readPersonaWebhookConfig), ...read(readPersonaApiConfig) };
  if (problems.length) throw new ConfigError(problems);
  return merged;
};

describe('readKycConfig', () => {
  it('runs locally with defaults: 300 s tolerance, 1 MiB bodies, 24 h cache, development cipher', () => {
    expect(readKycConfig({})).toEqual({
      environment: 'local',
      kmsKeyName: undefined,
      personaApiUrl: 'https://api.withpersona.com',
      personaVersion: '2025-10-27',
      inquiryTemplateId: 'itmpl_local',
      personaTimeoutMs: 10_000,
      webhookToleranceSeconds: 300,
      webhookMaxBodyBytes: 1_048_576,
      cacheHours: 24,
    });
  });

  it('takes every setting from the environment', () => {
    const c = readKycConfig({
      ENVIRONMENT: 'prod',
      KYC_KMS_KEY_NAME: 'projects/p/locations/europe-west1/keyRings/kyc/cryptoKeys/pii',
      PERSONA_API_URL: 'https://api.withpersona.com/',
      PERSONA_INQUIRY_TEMPLATE_ID: 'itmpl_Ygs16MKTkA6obnF8C3Rb17dm',
      PERSONA_WEBHOOK_TOLERANCE_SECONDS: '120',
      PERSONA_WEBHOOK_MAX_BODY_BYTES: '262144',
      KYC_CACHE_HOURS: '12',
    });
    expect(c).toMatchObject({
      kmsKeyName: 'projects/p/locations/europe-west1/keyRings/kyc/cryptoKeys/pii',
      personaApiUrl: 'https://api.withpersona.com',
      webhookToleranceSeconds: 120,
      webhookMaxBodyBytes: 262_144,
      cacheHours: 12,
    });
  });

  it('names every problem at once, and insists on KMS and https outside local', () => {
    let err: ConfigError | undefined;
    try {
      readKycConfig({
        ENVIRONMENT: 'prod',
        PERSONA_API_URL: 'http://persona.internal',
        PERSONA_WEBHOOK_TOLERANCE_SECONDS: '0',
        PERSONA_VERSION: 'latest',
      });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.problems).toEqual([
      'KYC_KMS_KEY_NAME is not set (required outside ENVIRONMENT=local)',
      "PERSONA_WEBHOOK_TOLERANCE_SECONDS must be an integer in [1, 3600] (got '0')",
      'PERSONA_API_URL must use https outside ENVIRONMENT=local',
      "PERSONA_INQUIRY_TEMPLATE_ID must be an itmpl_… id (got '')",
      "PERSONA_VERSION must be a date YYYY-MM-DD (got 'latest')",
    ]);
    expect(() => readKycConfig({ KYC_KMS_KEY_NAME: 'pii-key' })).toThrow(
      'KYC_KMS_KEY_NAME must be projects/',
    );
  });
});

describe('each KYC function reads only its own settings', () => {
  it('personaWebhook needs the KMS key but no Persona API settings; startKyc the reverse', () => {
    const kms = 'projects/p/locations/europe-west1/keyRings/kyc/cryptoKeys/pii';
    expect(readPersonaWebhookConfig({ ENVIRONMENT: 'prod', KYC_KMS_KEY_NAME: kms })).toMatchObject({
      kmsKeyName: kms,
    });
    expect(
      readPersonaApiConfig({ ENVIRONMENT: 'prod', PERSONA_INQUIRY_TEMPLATE_ID: 'itmpl_X1' }),
    ).toMatchObject({
      inquiryTemplateId: 'itmpl_X1',
    });
    expect(
      readPersonaApiConfig({ ENVIRONMENT: 'prod', PERSONA_INQUIRY_TEMPLATE_ID: 'itmpl_X1' }),
    ).not.toHaveProperty('kmsKeyName');
  });
});

describe('readStartKycAuthConfig', () => {
  it('accepts local identities only locally, and needs an audience to verify Google ID tokens', () => {
    expect(readStartKycAuthConfig({})).toEqual({ auth: 'local', audience: undefined });
    const url = 'https://startkyc-abc.a.run.app';
    expect(readStartKycAuthConfig({ ENVIRONMENT: 'prod', KYC_START_AUDIENCE: url })).toEqual({
      auth: 'google',
      audience: url,
    });
    expect(() => readStartKycAuthConfig({ ENVIRONMENT: 'staging' })).toThrow(
      'KYC_START_AUDIENCE is not set (required with KYC_START_AUTH=google)',
    );
    expect(() => readStartKycAuthConfig({ ENVIRONMENT: 'prod', KYC_START_AUTH: 'local' })).toThrow(
      'KYC_START_AUTH=local is only for ENVIRONMENT=local',
    );
  });
});
