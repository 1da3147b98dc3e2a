/**
 * Configuration of the notifications area (fanOutNotifications, deliverNotification,
 * notificationPreferences), read once per cold start; every problem is reported at once. Secrets
 * (SENDGRID_API_KEY, TWILIO_AUTH_TOKEN, webhook whsec_ secrets) come from the SecretStore by name.
 */
import type { Channel } from '../../domain/notifications/types';
import { DEFAULT_RATE_LIMITS, type RateLimitPolicy } from '../../domain/notifications/rate-limit';
import type { RetryPolicy } from '../../domain/notifications/delivery';
import {
  ConfigError,
  environmentOf,
  integer,
  oneOf,
  readCallerAuth,
  type CallerAuthConfig,
  serviceUrl,
} from './runtime';

export interface NotificationsConfig {
  environment: 'local' | 'dev' | 'staging' | 'prod';
  emailFrom: string;
  /** SendGrid sandbox mode: validated by SendGrid, nothing delivered (200 instead of 202). */
  sendgridSandbox: boolean;
  /** Override of https://api.sendgrid.com/ (the local server). */
  sendgridBaseUrl?: string;
  /** E-mails per Mail Send request when several are sent at once (personalizations); 1 sends each alone. */
  sendgridBatchSize: number;
  twilioAccountSid: string;
  twilioFrom: string;
  /** Override of https://api.twilio.com (the local server). */
  twilioBaseUrl?: string;
  providerTimeoutMs: number;
  /**
   * NOTIFY_WEBHOOK_ALLOW_LOOPBACK: webhooks may go to http:// on loopback, for the local stack's receiver.
   * Refused outside ENVIRONMENT=local: a deployed sender reaches public https endpoints only (SSRF).
   */
  webhookAllowLoopback: boolean;
  retry: RetryPolicy;
  sendLeaseMs: number;
  dedupWindowMs: number;
  rateLimits: Record<Channel, RateLimitPolicy>;
}

export interface PreferencesAuthConfig extends CallerAuthConfig {
  /** Identities allowed to read and change every recipient's preferences. */
  admins: string[];
}

const bool = (env: NodeJS.ProcessEnv, name: string, fallback: boolean, problems: string[]): boolean =>
  oneOf(env, name, ['true', 'false'] as const, fallback ? 'true' : 'false', problems) === 'true';

export function readNotificationsConfig(env: NodeJS.ProcessEnv = process.env): NotificationsConfig {
  const problems: string[] = [];
  const environment = environmentOf(env, problems);
  const local = environment === 'local';
  const emailFrom = env.NOTIFY_EMAIL_FROM ?? (local ? 'alerts@fusion-risk.local' : '');
  if (!emailFrom) problems.push('NOTIFY_EMAIL_FROM is not set');
  const twilioAccountSid = env.TWILIO_ACCOUNT_SID ?? (local ? 'AC00000000000000000000000000000000' : '');
  if (!/^AC[0-9a-f]{32}$/i.test(twilioAccountSid))
    problems.push('TWILIO_ACCOUNT_SID must be an account sid (AC followed by 32 hex digits)');
  const twilioFrom = env.TWILIO_FROM_NUMBER ?? (local ? '+15005550006' : '');
  if (!/^\+[1-9]\d{6,14}$/.test(twilioFrom) && !/^MG[0-9a-f]{32}$/i.test(twilioFrom))
    problems.push('TWILIO_FROM_NUMBER must be an E.164 number or a Messaging Service sid');
  const limit = (ch: Channel, upper: string): RateLimitPolicy => ({
    capacity: integer(
      env,
      `NOTIFY_RATE_${upper}_BURST`,
      DEFAULT_RATE_LIMITS[ch].capacity,
      1,
      10_000,
      problems,
    ),
    perHour: integer(
      env,
      `NOTIFY_RATE_${upper}_PER_HOUR`,
      DEFAULT_RATE_LIMITS[ch].perHour,
      1,
      1_000_000,
      problems,
    ),
  });
  const config: NotificationsConfig = {
    environment,
    emailFrom,
    sendgridSandbox: bool(env, 'SENDGRID_SANDBOX', false, problems),
    sendgridBaseUrl: serviceUrl(env, 'SENDGRID_BASE_URL', undefined, environment, problems),
    sendgridBatchSize: integer(env, 'NOTIFY_SENDGRID_BATCH_SIZE', 100, 1, 1_000, problems),
    twilioAccountSid,
    twilioFrom,
    twilioBaseUrl: serviceUrl(env, 'TWILIO_BASE_URL', undefined, environment, problems),
    providerTimeoutMs: integer(env, 'NOTIFY_PROVIDER_TIMEOUT_MS', 10_000, 100, 60_000, problems),
    webhookAllowLoopback: bool(env, 'NOTIFY_WEBHOOK_ALLOW_LOOPBACK', false, problems),
    retry: {
      maxAttempts: integer(env, 'NOTIFY_MAX_ATTEMPTS', 4, 1, 10, problems),
      baseDelayMs: integer(env, 'NOTIFY_RETRY_BASE_MS', 200, 0, 10_000, problems),
      maxDelayMs: integer(env, 'NOTIFY_RETRY_MAX_MS', 2_000, 0, 30_000, problems),
      maxWaitMs: integer(env, 'NOTIFY_RETRY_MAX_WAIT_MS', 5_000, 0, 60_000, problems),
    },
    sendLeaseMs: integer(env, 'NOTIFY_SEND_LEASE_SECONDS', 90, 10, 600, problems) * 1000,
    dedupWindowMs: integer(env, 'NOTIFY_DEDUP_WINDOW_SECONDS', 300, 0, 86_400, problems) * 1000,
    rateLimits: {
      email: limit('email', 'EMAIL'),
      sms: limit('sms', 'SMS'),
      webhook: limit('webhook', 'WEBHOOK'),
    },
  };
  if (config.webhookAllowLoopback && !local)
    problems.push('NOTIFY_WEBHOOK_ALLOW_LOOPBACK=true is only for ENVIRONMENT=local');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** Who may call notificationPreferences, and who may edit everyone's (only that function reads it). */
export function readPreferencesAuthConfig(env: NodeJS.ProcessEnv = process.env): PreferencesAuthConfig {
  return {
    ...readCallerAuth(env, 'NOTIFY_PREFERENCES'),
    admins: (env.NOTIFY_PREFERENCES_ADMINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
