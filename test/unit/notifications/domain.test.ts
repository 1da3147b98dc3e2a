/** Pure notification policy: escalation, de-duplication, rate limits, quiet hours, templates, signing. */
import { normalizeAmlAlert, normalizeMarginAlert } from '../../../shared/domain/notifications/alerts';
import {
  dedupDecision,
  recordSend,
  recordSuppressed,
  type DedupState,
} from '../../../shared/domain/notifications/dedup';
import { parseRetryAfter, retryDelay } from '../../../shared/domain/notifications/delivery';
import { inQuietHours, selectChannels } from '../../../shared/domain/notifications/preferences';
import { takeToken } from '../../../shared/domain/notifications/rate-limit';
import {
  generateWebhookSecret,
  signature,
  signedHeaders,
  verifyWebhook,
} from '../../../shared/domain/notifications/standard-webhooks';
import { renderEmail, renderSms, renderWebhook } from '../../../shared/domain/notifications/templates';
import type { AmlAlert, Dispatch, MarginAlert } from '../../../shared/domain/notifications/types';
import { loadFixtures } from '../contracts/schema-fixtures';

const marginDispatch = loadFixtures('messages/notifications.dispatch.v1').base as Dispatch;
const amlDispatch = loadFixtures('messages/notifications.dispatch.v1').good.find(
  (g) => g.file === 'good-aml.json',
)?.value as Dispatch;
const margin = (from: MarginAlert['fromState'], to: MarginAlert['toState'], id = 'me_1'): MarginAlert => ({
  ...(marginDispatch.alert as MarginAlert),
  eventId: id,
  fromState: from,
  toState: to,
});
const MIN = 60_000;

describe('alert normalisation', () => {
  it('calls a worsening into margin call or liquidation an escalation, not a warning or a recovery', () => {
    expect(normalizeMarginAlert(margin('MARGIN_CALL', 'LIQUIDATION')).escalation).toBe(true);
    expect(normalizeMarginAlert(margin('WARNING', 'MARGIN_CALL')).escalation).toBe(true);
    expect(normalizeMarginAlert(margin('HEALTHY', 'WARNING')).escalation).toBe(false);
    expect(normalizeMarginAlert(margin('LIQUIDATION', 'MARGIN_CALL')).escalation).toBe(false);
    expect(normalizeMarginAlert(margin('MARGIN_CALL', 'LIQUIDATION'))).toMatchObject({
      kind: 'margin.LIQUIDATION',
      subject: 'desk-btc-levered',
    });
  });

  it('keys AML alerts by rule type and customer; a block recommendation escalates', () => {
    const a = amlDispatch.alert as AmlAlert;
    expect(normalizeAmlAlert(a)).toMatchObject({
      kind: 'aml.structuring',
      subject: 'cust-0042',
      escalation: false,
    });
    expect(normalizeAmlAlert({ ...a, recommendedAction: 'BLOCK' }).escalation).toBe(true);
    expect(normalizeAmlAlert({ ...a, severity: 'CRITICAL' }).level).toBeGreaterThan(
      normalizeAmlAlert({ ...a, severity: 'WARNING' }).level,
    );
  });
});

describe('de-duplication policy', () => {
  const t0 = Date.parse('2020-03-12T23:59:00Z');
  const plain = { alertId: 'a1', level: 2, escalation: false };
  const sent: DedupState = recordSend(undefined, plain, ['email', 'sms'], t0);

  it('suppresses the same kind for the same subject and recipient within five minutes', () => {
    expect(dedupDecision(undefined, plain, t0)).toEqual({ verdict: 'send', reason: 'first' });
    expect(dedupDecision(sent, { ...plain, alertId: 'a2' }, t0 + 4 * MIN + 59_999)).toEqual({
      verdict: 'suppress',
      reason: 'duplicate',
      previousAlertId: 'a1',
    });
    expect(dedupDecision(sent, { ...plain, alertId: 'a2' }, t0 + 5 * MIN)).toEqual({
      verdict: 'send',
      reason: 'window-elapsed',
    });
  });

  it('never suppresses an escalation, and lets a higher level through', () => {
    expect(dedupDecision(sent, { alertId: 'a3', level: 2, escalation: true }, t0 + MIN).verdict).toBe('send');
    expect(dedupDecision(sent, { alertId: 'a4', level: 3, escalation: false }, t0 + MIN)).toEqual({
      verdict: 'send',
      reason: 'higher-level',
    });
  });

  it('never recognises a redelivery: its own entry in the history is just the last send of the kind', () => {
    // The fan-out answers a redelivery from its decision record before consulting this policy; were it to ask,
    // the alert would be a duplicate of itself.
    expect(dedupDecision(sent, plain, t0 + MIN)).toEqual({
      verdict: 'suppress',
      reason: 'duplicate',
      previousAlertId: 'a1',
    });
    expect(dedupDecision(sent, plain, t0 + 10 * MIN)).toEqual({ verdict: 'send', reason: 'window-elapsed' });
  });

  it('remembers a suppressed alert without moving the window', () => {
    const s = recordSuppressed(sent, 'a9', t0 + MIN);
    expect(s.lastSentAt).toBe(t0);
    expect(s.recent.map((r) => r.alertId)).toEqual(['a1', 'a9']);
    expect(dedupDecision(s, { ...plain, alertId: 'a10' }, t0 + 5 * MIN)).toEqual({
      verdict: 'send',
      reason: 'window-elapsed',
    });
    expect(recordSuppressed(undefined, 'a1', t0)).toMatchObject({ lastSentAt: 0, lastLevel: -1 });
  });

  it('keeps a bounded history', () => {
    let s: DedupState | undefined;
    for (let i = 0; i < 50; i++) s = recordSend(s, { alertId: `x${i}`, level: 1 }, ['email'], t0 + i);
    expect(s?.recent.length).toBe(20);
    expect(s?.recent[19].alertId).toBe('x49');
  });
});

describe('rate limits', () => {
  const policy = { capacity: 3, perHour: 6 };

  it('allows a burst, then refills at the sustained rate', () => {
    let b;
    const allowed: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const r = takeToken(b, policy, 0);
      allowed.push(r.allowed);
      b = r.state;
    }
    expect(allowed).toEqual([true, true, true, false, false]);
    expect(takeToken(b, policy, 9 * MIN).allowed).toBe(false); // 0.9 token
    expect(takeToken(b, policy, 10 * MIN).allowed).toBe(true); // one token per 10 minutes
  });

  it('lets a forced (escalation) notification through an empty bucket', () => {
    const empty = { tokens: 0, updatedAt: 0 };
    expect(takeToken(empty, policy, 0, true).allowed).toBe(true);
  });
});

describe('preferences and quiet hours', () => {
  const quiet = { start: '22:00', end: '07:00', timeZone: 'Europe/London' };

  it('evaluates quiet hours in the recipient’s time zone, across midnight and daylight saving', () => {
    expect(inQuietHours(new Date('2020-03-12T23:59:00Z'), quiet)).toBe(true); // GMT
    expect(inQuietHours(new Date('2020-03-13T07:00:00Z'), quiet)).toBe(false);
    expect(inQuietHours(new Date('2020-07-01T21:30:00Z'), quiet)).toBe(true); // 22:30 BST
    expect(inQuietHours(new Date('2020-07-01T06:30:00Z'), quiet)).toBe(false); // 07:30 BST
    expect(inQuietHours(new Date('2020-03-12T23:59:00Z'), { ...quiet, timeZone: 'Asia/Singapore' })).toBe(
      false,
    );
    expect(
      inQuietHours(new Date('2020-03-12T12:00:00Z'), { start: '09:00', end: '17:00', timeZone: 'UTC' }),
    ).toBe(true);
  });

  it('mutes non-critical alerts on the quiet channels only; critical alerts bypass quiet hours', () => {
    const prefs = {
      channels: ['email', 'sms', 'webhook'] as const,
      minSeverity: 'WARNING' as const,
      quietHours: { ...quiet, channels: ['sms' as const] },
    };
    const contacts = {
      email: 'a@x.example',
      phone: '+447700900101',
      webhook: { url: 'http://h', secretName: 'S' },
    };
    const night = new Date('2020-03-12T23:59:00Z');
    const p = { ...prefs, channels: [...prefs.channels] };
    expect(selectChannels(p, contacts, 'WARNING', night)).toEqual({
      send: ['email', 'webhook'],
      skipped: [{ channel: 'sms', reason: 'quiet-hours' }],
    });
    expect(selectChannels(p, contacts, 'CRITICAL', night).send).toEqual(['email', 'sms', 'webhook']);
    expect(selectChannels(p, contacts, 'INFO', night).send).toEqual([]);
    expect(selectChannels(p, { email: 'a@x.example' }, 'CRITICAL', night).skipped).toEqual([
      { channel: 'sms', reason: 'no-contact' },
      { channel: 'webhook', reason: 'no-contact' },
    ]);
  });
});

describe('templates', () => {
  it('renders a margin call readably in every channel, without contact details', () => {
    const email = renderEmail(marginDispatch);
    expect(email.subject).toBe('[WARNING] Margin call: add collateral or repay (desk-btc-levered)');
    expect(email.text).toContain('State: WARNING -> MARGIN_CALL');
    expect(email.text).toContain('Health score: 22.4');
    expect(email.text).toContain('Collateral: 6,854 USD; borrowed: 5,600 USD');
    expect(renderSms(marginDispatch)).toBe(
      'Fusion Risk WARNING: desk-btc-levered WARNING->MARGIN_CALL, health 22.4. Ref me_0f3a9c2b',
    );
    expect(renderSms(marginDispatch).length).toBeLessThanOrEqual(160);
    const hook = JSON.parse(renderWebhook(marginDispatch)) as { type: string; data: { dispatchId: string } };
    expect(hook.type).toBe('alert.margin.MARGIN_CALL');
    expect(hook.data.dispatchId).toBe(marginDispatch.dispatchId);
  });

  it('renders an AML alert with its rule, customer and recommended action, HTML escaped', () => {
    const a = { ...amlDispatch, alert: { ...(amlDispatch.alert as AmlAlert), summary: 'a <b> & c' } };
    const email = renderEmail(a);
    expect(email.subject).toBe('[CRITICAL] AML: enhanced due diligence: structuring (cust-0042)');
    expect(email.text).toContain('Recommended action: enhanced due diligence');
    expect(email.html).toContain('a &lt;b&gt; &amp; c');
    expect(renderSms(a)).toContain('structuring on cust-0042, ENHANCED_DUE_DILIGENCE');
  });
});

describe('Standard Webhooks signing', () => {
  it('matches the specification’s reference vector', () => {
    expect(
      signature(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies its own headers, rejects tampering, another key, stale timestamps; accepts rotation lists', () => {
    const secret = generateWebhookSecret();
    const h = signedHeaders(secret, 'nd_1', 1_600_000_000, '{"a":1}');
    expect(verifyWebhook(secret, h, '{"a":1}', 1_600_000_100)).toEqual({ ok: true });
    expect(verifyWebhook(secret, h, '{"a":2}', 1_600_000_100)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyWebhook(generateWebhookSecret(), h, '{"a":1}', 1_600_000_100).ok).toBe(false);
    expect(verifyWebhook(secret, h, '{"a":1}', 1_600_000_301)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhook(secret, { ...h, 'webhook-id': undefined }, '{"a":1}', 1_600_000_000).ok).toBe(false);
    const rotated = { ...h, 'webhook-signature': `v1,AAAA ${h['webhook-signature']}` };
    expect(verifyWebhook(secret, rotated, '{"a":1}', 1_600_000_000)).toEqual({ ok: true });
    expect(() => signature('not-a-secret', 'x', 1, '')).toThrow('whsec_');
  });
});

describe('retry waits', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2_000, maxWaitMs: 5_000 };

  it('backs off with jitter, honours the provider’s hint, and stops when told to wait too long', () => {
    expect(retryDelay(policy, 1, undefined, () => 0)).toBe(100);
    expect(retryDelay(policy, 3, undefined, () => 1)).toBe(800);
    expect(retryDelay(policy, 2, 1_500, () => 0.5)).toBe(1_500);
    expect(retryDelay(policy, 2, 30_000, () => 0.5)).toBeUndefined();
    expect(retryDelay(policy, 4, undefined, () => 0.5)).toBeUndefined();
    expect(parseRetryAfter('2', 0)).toBe(2_000);
    expect(parseRetryAfter('Thu, 12 Mar 2020 23:59:30 GMT', Date.parse('2020-03-12T23:59:00Z'))).toBe(30_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
