/** Notifications configuration: local defaults, production requirements, every problem named at once. */
import { ConfigError } from '../../../shared/platform/config/runtime';
import {
  readNotificationsConfig,
  readPreferencesAuthConfig,
} from '../../../shared/platform/config/notifications';

describe('readNotificationsConfig', () => {
  it('runs locally with no variables: local auth, local Twilio magic sender, default limits', () => {
    const c = readNotificationsConfig({});
    expect(readPreferencesAuthConfig({})).toMatchObject({ auth: 'local', admins: [] });
    expect(c).toMatchObject({
      environment: 'local',
      twilioFrom: '+15005550006',
      sendgridSandbox: false,
      dedupWindowMs: 300_000,
      retry: { maxAttempts: 4 },
    });
    expect(c.rateLimits.sms).toEqual({ capacity: 5, perHour: 12 });
  });

  it('reads production settings', () => {
    const env = {
      ENVIRONMENT: 'prod',
      NOTIFY_EMAIL_FROM: 'alerts@desk.example',
      TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
      TWILIO_FROM_NUMBER: 'MG0123456789abcdef0123456789abcdef',
      NOTIFY_PREFERENCES_AUDIENCE: 'https://notificationpreferences-xyz.a.run.app',
      NOTIFY_PREFERENCES_ADMINS: 'ops@desk.example, risk@desk.example',
      SENDGRID_SANDBOX: 'true',
      NOTIFY_RATE_SMS_PER_HOUR: '30',
    };
    const c = readNotificationsConfig(env);
    expect(c).toMatchObject({ sendgridSandbox: true });
    expect(readPreferencesAuthConfig(env)).toMatchObject({
      auth: 'google',
      audience: 'https://notificationpreferences-xyz.a.run.app',
      admins: ['ops@desk.example', 'risk@desk.example'],
    });
    expect(c.rateLimits.sms.perHour).toBe(30);
  });

  it('names every problem of a misconfigured deployment at once', () => {
    let problems: string[] = [];
    try {
      readNotificationsConfig({
        ENVIRONMENT: 'prod',
        NOTIFY_PREFERENCES_AUTH: 'local',
        SENDGRID_SANDBOX: 'yes',
        SENDGRID_BASE_URL: 'not a url',
        NOTIFY_MAX_ATTEMPTS: '0',
      });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([
      'NOTIFY_EMAIL_FROM is not set',
      'TWILIO_ACCOUNT_SID must be an account sid (AC followed by 32 hex digits)',
      'TWILIO_FROM_NUMBER must be an E.164 number or a Messaging Service sid',
      "SENDGRID_SANDBOX must be one of true, false (got 'yes')",
      "SENDGRID_BASE_URL must be an http(s) URL (got 'not a url')",
      "NOTIFY_MAX_ATTEMPTS must be an integer in [1, 10] (got '0')",
    ]);
  });

  it('only notificationPreferences reads caller authentication; a cloud deployment cannot use local identities', () => {
    expect(() =>
      readPreferencesAuthConfig({ ENVIRONMENT: 'prod', NOTIFY_PREFERENCES_AUTH: 'local' }),
    ).toThrow('NOTIFY_PREFERENCES_AUTH=local is only for ENVIRONMENT=local');
    expect(() => readPreferencesAuthConfig({ ENVIRONMENT: 'prod' })).toThrow(
      'NOTIFY_PREFERENCES_AUDIENCE is not set (required with NOTIFY_PREFERENCES_AUTH=google)',
    );
  });

  it('allows webhooks to loopback over http only on the local stack (SSRF guard), never in a deployment', () => {
    expect(readNotificationsConfig({}).webhookAllowLoopback).toBe(false);
    expect(readNotificationsConfig({ NOTIFY_WEBHOOK_ALLOW_LOOPBACK: 'true' }).webhookAllowLoopback).toBe(
      true,
    );
    for (const ENVIRONMENT of ['dev', 'staging', 'prod']) {
      const env = {
        ENVIRONMENT,
        NOTIFY_EMAIL_FROM: 'alerts@desk.example',
        TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
        TWILIO_FROM_NUMBER: '+15005550006',
      };
      expect(readNotificationsConfig(env).webhookAllowLoopback).toBe(false);
      expect(() => readNotificationsConfig({ ...env, NOTIFY_WEBHOOK_ALLOW_LOOPBACK: 'true' })).toThrow(
        new ConfigError(['NOTIFY_WEBHOOK_ALLOW_LOOPBACK=true is only for ENVIRONMENT=local']),
      );
    }
  });
});

it('refuses plain-http provider base URLs outside the local stack', () => {
  const cloud = {
    ENVIRONMENT: 'prod',
    NOTIFY_EMAIL_FROM: 'alerts@fusion-risk.example',
    TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
    TWILIO_FROM_NUMBER: '+15005550006',
  };
  expect(() =>
    readNotificationsConfig({
      ...cloud,
      SENDGRID_BASE_URL: 'http://sendgrid.example/',
      TWILIO_BASE_URL: 'http://t.example',
    }),
  ).toThrow(
    /SENDGRID_BASE_URL must use https outside ENVIRONMENT=local[\s\S]*TWILIO_BASE_URL must use https/,
  );
  expect(
    readNotificationsConfig({ ...cloud, SENDGRID_BASE_URL: 'https://api.sendgrid.com/' }).sendgridBaseUrl,
  ).toBe('https://api.sendgrid.com/');
  expect(
    readNotificationsConfig({ ENVIRONMENT: 'local', TWILIO_BASE_URL: 'http://127.0.0.1:4010' }).twilioBaseUrl,
  ).toBe('http://127.0.0.1:4010');
});
