/**
 * Edges of who hears what and when: quiet hours at their first and last minute (same-day and across
 * midnight, in zones with half-hour offsets), the default muted channels, SMS needing a phone, document ids
 * for message ids with dots and slashes, how AML and margin alerts rank against each other for
 * de-duplication, what a price or risk-limit alert is de-duplicated by, and a provider's wait hint at the
 * longest wait allowed. domain.test.ts has the everyday cases.
 */
import {
  normalizeAmlAlert,
  normalizeMarginAlert,
  normalizePriceAlert,
  normalizeRiskAlert,
} from '../../../shared/domain/notifications/alerts';
import { retryDelay } from '../../../shared/domain/notifications/delivery';
import {
  inQuietHours,
  isValidTimeZone,
  localMinutes,
  selectChannels,
} from '../../../shared/domain/notifications/preferences';
import { audienceOf, docId } from '../../../shared/domain/notifications/recipients';
import {
  COMPLIANCE_TEAM,
  NOTIFICATION_COLLECTIONS,
  type AmlAlert,
  type Dispatch,
  type MarginAlert,
  type PriceAlert,
  type RiskAlert,
} from '../../../shared/domain/notifications/types';
import { loadFixtures } from '../contracts/schema-fixtures';

const utc = (hhmm: string) => new Date(`2025-11-10T${hhmm}:00Z`);

describe('quiet hours', () => {
  const office = { start: '09:00', end: '17:30', timeZone: 'UTC' };
  const night = { start: '22:00', end: '07:15', timeZone: 'UTC' };

  it('run from their first minute to just before their last, within a day', () => {
    expect(['08:59', '09:00', '17:29', '17:30'].map((t) => inQuietHours(utc(t), office))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it('run across midnight from the evening start to the morning end', () => {
    expect(
      ['21:59', '22:00', '23:59', '00:00', '07:14', '07:15', '12:00'].map((t) => inQuietHours(utc(t), night)),
    ).toEqual([false, true, true, true, true, false, false]);
  });

  it('are none when they start and end at the same minute', () => {
    const none = { start: '07:00', end: '07:00', timeZone: 'UTC' };
    expect(['06:59', '07:00', '19:00'].map((t) => inQuietHours(utc(t), none))).toEqual([false, false, false]);
  });

  it('read the local hour and minute, half-hour offsets included', () => {
    // 16:00 UTC is 21:30 in Kolkata (UTC+5:30).
    expect(localMinutes(utc('16:00'), 'Asia/Kolkata')).toBe(21 * 60 + 30);
    expect(inQuietHours(utc('16:29'), { start: '22:00', end: '07:00', timeZone: 'Asia/Kolkata' })).toBe(
      false,
    );
    expect(inQuietHours(utc('16:30'), { start: '22:00', end: '07:00', timeZone: 'Asia/Kolkata' })).toBe(true);
  });

  it('accept IANA time zones only', () => {
    expect(isValidTimeZone('Europe/London')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });

  it('mute e-mail and SMS by default, never webhooks', () => {
    const prefs = {
      channels: ['email' as const, 'sms' as const, 'webhook' as const],
      minSeverity: 'INFO' as const,
      quietHours: night,
    };
    const contacts = {
      email: 'a@x.example',
      phone: '+447700900101',
      webhook: { url: 'https://h', secretName: 'S' },
    };
    expect(selectChannels(prefs, contacts, 'WARNING', utc('23:00'))).toEqual({
      send: ['webhook'],
      skipped: [
        { channel: 'email', reason: 'quiet-hours' },
        { channel: 'sms', reason: 'quiet-hours' },
      ],
    });
  });
});

describe('contacts', () => {
  it('send SMS only to a recipient with a phone number', () => {
    const prefs = { channels: ['sms' as const, 'email' as const], minSeverity: 'INFO' as const };
    expect(selectChannels(prefs, { email: 'a@x.example' }, 'CRITICAL', utc('12:00'))).toEqual({
      send: ['email'],
      skipped: [{ channel: 'sms', reason: 'no-contact' }],
    });
    expect(selectChannels(prefs, { phone: '+447700900101' }, 'CRITICAL', utc('12:00')).send).toEqual(['sms']);
  });
});

describe('document ids', () => {
  it('encode slashes and dots in each part and join the parts with a dot', () => {
    expect(docId('aml_1', 'cust/42', 'a.b')).toBe('aml_1.cust%2F42.a%2Eb');
  });

  it('send compliance-case alerts to the compliance team', () => {
    expect(audienceOf({ source: 'alerts.cases.v1', subject: 'case-1' })).toEqual({
      collection: NOTIFICATION_COLLECTIONS.teams,
      id: COMPLIANCE_TEAM,
    });
  });
});

describe('alert levels for de-duplication', () => {
  const dispatch = loadFixtures('messages/notifications.dispatch.v1');
  const aml = dispatch.good.find((g) => g.file === 'good-aml.json')?.value as Dispatch;
  const base = aml.alert as AmlAlert;
  const level = (severity: AmlAlert['severity'], recommendedAction: AmlAlert['recommendedAction']) =>
    normalizeAmlAlert({ ...base, severity, recommendedAction }).level;

  it('rank an AML alert by severity first, then by the recommended action', () => {
    expect(level('WARNING', 'ENHANCED_DUE_DILIGENCE')).toBeGreaterThan(level('WARNING', 'MANUAL_REVIEW'));
    expect(level('WARNING', 'BLOCK')).toBeGreaterThan(level('WARNING', 'ENHANCED_DUE_DILIGENCE'));
    expect(level('CRITICAL', 'MANUAL_REVIEW')).toBeGreaterThan(level('WARNING', 'BLOCK'));
    expect(level('WARNING', 'MANUAL_REVIEW')).toBeGreaterThan(level('INFO', 'BLOCK'));
  });

  it('do not call a repeated margin call an escalation', () => {
    const margin = (dispatch.base as Dispatch).alert as MarginAlert;
    expect(
      normalizeMarginAlert({ ...margin, fromState: 'MARGIN_CALL', toState: 'MARGIN_CALL' }).escalation,
    ).toBe(false);
    expect(normalizeMarginAlert({ ...margin, fromState: 'WARNING', toState: 'MARGIN_CALL' }).escalation).toBe(
      true,
    );
  });
});

describe('what an alert is de-duplicated by', () => {
  const limit = (extra: Partial<RiskAlert>): RiskAlert => ({
    alertId: 'risk_0123456789abcdef0123456789abcdef',
    kind: 'RISK_LIMIT_BREACHED',
    severity: 'WARNING',
    scopeKey: 'portfolio:pf-1',
    portfolioId: 'pf-1',
    at: '2020-03-12T14:00:00.000Z',
    ...extra,
  });

  it('a limit alert: its scope, policy, rule and asset', () => {
    const subject = (extra: Partial<RiskAlert>) => normalizeRiskAlert(limit(extra)).subject;
    expect(subject({ policyId: 'desk', ruleId: 'conc', asset: 'BTC' })).toBe('portfolio:pf-1|desk/conc/BTC');
    expect(subject({ ruleId: 'leverage-cap' })).toBe('portfolio:pf-1|/leverage-cap/');
    expect(subject({})).toBe('portfolio:pf-1');
    // Any other risk alert is de-duplicated by its scope alone, whatever rule it names.
    expect(subject({ kind: 'POLICY_INVALID', policyId: 'desk', ruleId: 'conc' })).toBe('portfolio:pf-1');
  });

  it('a price alert: its asset, or the portfolio it left unvalued', () => {
    const prices = loadFixtures('messages/alerts.prices.v1');
    const noPrice = prices.base as PriceAlert;
    const unvalued = prices.good.find((g) => g.file === 'good-portfolio-not-valued.json')
      ?.value as PriceAlert;
    expect(normalizePriceAlert({ ...noPrice, portfolioId: 'pf-000123' }).subject).toBe('ETH');
    expect(normalizePriceAlert(unvalued).subject).toBe('pf-000123');
  });
});

describe("a provider's wait hint", () => {
  it('is honoured up to the longest wait allowed, that wait included', () => {
    const policy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2_000, maxWaitMs: 5_000 };
    expect(retryDelay(policy, 1, 5_000, () => 0.5)).toBe(5_000);
    expect(retryDelay(policy, 1, 5_001, () => 0.5)).toBeUndefined();
    expect(retryDelay(policy, 1, -20, () => 0.5)).toBe(0);
  });
});
