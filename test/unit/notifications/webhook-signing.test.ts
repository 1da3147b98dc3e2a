/**
 * Standard Webhooks as a customer's receiver sees it: the secret format we accept, the three headers, the
 * five-minute window at its exact edges on both sides, and the signature list (key rotation, other versions,
 * malformed entries). domain.test.ts has the reference vector and the everyday cases.
 */
import {
  WEBHOOK_TOLERANCE_SECONDS,
  generateWebhookSecret,
  signature,
  signedHeaders,
  verifyWebhook,
} from '../../../shared/domain/notifications/standard-webhooks';

const secretOf = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const BODY = '{"type":"alert.margin.MARGIN_CALL"}';
const T = 1_700_000_000;
const headers = signedHeaders(SECRET, 'nd_1', T, BODY);

describe('webhook secrets', () => {
  it('are whsec_ followed by base64 of 24 random bytes, different each time', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it('must carry at least 16 key bytes: a 15-byte key is refused, a 16-byte key signs', () => {
    expect(() => signature(secretOf(15), 'nd_1', T, BODY)).toThrow('webhook secret is too short');
    expect(signature(secretOf(16), 'nd_1', T, BODY)).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('must start with whsec_', () => {
    expect(() => signature(SECRET.slice(6), 'nd_1', T, BODY)).toThrow(
      'webhook secret must start with whsec_',
    );
  });
});

describe('signed headers', () => {
  it('carry the id, the timestamp in seconds and the v1 signature of id.timestamp.body', () => {
    expect(headers).toEqual({
      'webhook-id': 'nd_1',
      'webhook-timestamp': '1700000000',
      'webhook-signature': signature(SECRET, 'nd_1', T, BODY),
    });
    // The signature covers each of the three: changing any one changes it.
    expect(signature(SECRET, 'nd_2', T, BODY)).not.toBe(headers['webhook-signature']);
    expect(signature(SECRET, 'nd_1', T + 1, BODY)).not.toBe(headers['webhook-signature']);
  });
});

describe('verifying a delivery', () => {
  it('accepts a timestamp exactly five minutes off either way, and refuses one second more', () => {
    expect(WEBHOOK_TOLERANCE_SECONDS).toBe(300);
    expect(verifyWebhook(SECRET, headers, BODY, T + 300)).toEqual({ ok: true });
    expect(verifyWebhook(SECRET, headers, BODY, T - 300)).toEqual({ ok: true });
    expect(verifyWebhook(SECRET, headers, BODY, T + 301)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhook(SECRET, headers, BODY, T - 301)).toEqual({ ok: false, reason: 'stale' });
  });

  it('applies a receiver’s own tolerance', () => {
    expect(verifyWebhook(SECRET, headers, BODY, T + 30, 30)).toEqual({ ok: true });
    expect(verifyWebhook(SECRET, headers, BODY, T + 31, 30)).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a timestamp that is not whole seconds', () => {
    for (const ts of ['1700000000.5', 'yesterday', '1.7e9x'])
      expect(verifyWebhook(SECRET, { ...headers, 'webhook-timestamp': ts }, BODY, T)).toEqual({
        ok: false,
        reason: 'stale',
      });
  });

  it('reports missing headers, whichever one is absent or empty', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      expect(verifyWebhook(SECRET, { ...headers, [name]: undefined }, BODY, T)).toEqual({
        ok: false,
        reason: 'missing-headers',
      });
      expect(verifyWebhook(SECRET, { ...headers, [name]: '' }, BODY, T)).toEqual({
        ok: false,
        reason: 'missing-headers',
      });
    }
  });

  it('reads the first value of a repeated header', () => {
    const repeated = { ...headers, 'webhook-id': ['nd_1', 'nd_other'] };
    expect(verifyWebhook(SECRET, repeated, BODY, T)).toEqual({ ok: true });
    const wrongFirst = { ...headers, 'webhook-id': ['nd_other', 'nd_1'] };
    expect(verifyWebhook(SECRET, wrongFirst, BODY, T)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('accepts the right MAC only under version v1, skipping malformed entries in the list', () => {
    const mac = headers['webhook-signature'].slice(3);
    const withSigs = (sigs: string) =>
      verifyWebhook(SECRET, { ...headers, 'webhook-signature': sigs }, BODY, T);
    expect(withSigs(`v2,${mac}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(withSigs(`v1a,${mac}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(withSigs(`v1 v1, v1,${mac}`)).toEqual({ ok: true });
    expect(withSigs(`v1,${mac.slice(0, 20)}`)).toEqual({ ok: false, reason: 'bad-signature' });
  });
});
