/**
 * Persona data in every shape the code holds it (kebab-case off the wire, camelCase after camelizeKeys, the
 * inquiry's `fields.{key}.{type,value}`), plus free-text contact details, credentials and raw bytes, logged
 * through the real logger: none of it may reach a line, while what operators follow a tick by stays readable.
 */
import { CapturingSink } from '../../support/capturing-sink';
import { StructuredLogger } from '../../../shared/platform/logger';
import { REDACTED, redact, redactText, sensitiveKey } from '../../../shared/platform/redact';
import { camelizeKeys } from '../../../shared/domain/kyc/inflection';
import { personaInquiryEvent, type KeyInflection } from '../../../local-stack/providers/persona-events';
import {
  GOOGLE_KEY,
  KEEP,
  KEEP_TEXT,
  PEM,
  PERSONAL,
  PERSONAL_SECRETS,
  SECRET_BYTES,
  probes,
} from '../../fixtures/logging/persona-probes';

function capture() {
  const sink = new CapturingSink();
  const logger = new StructuredLogger({ sink: sink.sink, projectId: 'fusion-risk-dev' });
  return { sink, logger };
}

describe('redaction: key names in any case style', () => {
  const sensitive = [
    'nameFirst',
    'name-first',
    'NAME_FIRST',
    'name_last',
    'firstName',
    'socialSecurityNumber',
    'social-security-number',
    'ssn',
    'SSN',
    'nationalId',
    'identificationNumber',
    'identification-number',
    'idNumber',
    'driverLicenseNumber',
    'driver-license',
    'drivers_licence_no',
    'passportNumber',
    'selfiePhotoUrl',
    'frontPhotoUrl',
    'documentUrl',
    'birthdate',
    'dateOfBirth',
    'addressStreet1',
    'address-street-1',
    'emailAddress',
    'phoneNumber',
    'attributes.fields.name-first',
    'x-api-key',
    'apiKey',
    'APIKey',
    'Authorization',
    'Persona-Signature',
    'signingSecret',
    'accessToken',
    'rpcUrl',
    'privateKey',
    'ipAddress',
  ];
  const ordinary = [
    'eventId',
    'inquiryId',
    'status',
    'portfolioId',
    'amountUsd',
    'riskScore',
    'channel',
    'tickId',
    'functionName',
    'messageId',
    'topic',
    'asOf',
    'priceUsd',
    'referenceId',
    'templateId',
    'createdAt',
    'documentId',
    'selectedCountryCode',
    'tokenSymbol',
  ];

  it.each(sensitive)('masks %s', (key) => {
    expect(sensitiveKey(key)).toBe(true);
    expect(redact({ [key]: 'planted-value' })).toEqual({ [key]: REDACTED });
  });

  it.each(ordinary)('leaves %s readable', (key) => {
    expect(sensitiveKey(key)).toBe(false);
    expect(redact({ [key]: 'desk-001' })).toEqual({ [key]: 'desk-001' });
  });

  it("masks a Persona fields entry by its key, so the {type, value} object's value never leaks", () => {
    const out = redact({
      fields: {
        'name-first': { type: 'string', value: 'Alice' },
        nameLast: { type: 'string', value: 'Liddell' },
        'selected-country-code': { type: 'string', value: 'BE' },
      },
    });
    expect(out).toEqual({
      fields: {
        'name-first': REDACTED,
        nameLast: REDACTED,
        'selected-country-code': { type: 'string', value: 'BE' },
      },
    });
  });
});

describe('redaction: other shapes', () => {
  it('masks the value of a {name|key|field, value} pair that names a sensitive field', () => {
    expect(
      redact([
        { name: 'name-first', value: 'Alice' },
        { key: 'socialSecurityNumber', value: 7805 },
        { name: 'selected-country-code', value: 'BE' },
      ]),
    ).toEqual([
      // A field called just `name` is always taken for a person's name.
      { name: REDACTED, value: REDACTED },
      { key: 'socialSecurityNumber', value: REDACTED },
      { name: REDACTED, value: 'BE' },
    ]);
  });

  it("follows an error's cause and writes bigints as text", () => {
    const error = new Error('outer', { cause: new Error(`inner ${GOOGLE_KEY}`) });
    const out = JSON.stringify(redact({ error, notional: 10n ** 20n }));
    expect(out).toContain('inner [api-key]');
    expect(out).not.toContain(GOOGLE_KEY);
    expect(out).toContain('"notional":"100000000000000000000"');
  });
});

describe('redaction: free text', () => {
  it.each([
    ['555-123-4567', '[phone]'],
    ['(555) 123-4567', '[phone]'],
    ['+1 555 123 4567', '[phone]'],
    ['0470 12 34 56', '[phone]'],
    ['+32 470 12 34 56', '[phone]'],
    ['+44 20 7946 0958', '[phone]'],
    ['020 7946 0958', '[phone]'],
    ['+15551234567', '[phone]'],
    [GOOGLE_KEY, '[api-key]'],
    [PEM, '[pem]'],
    ['tel:555.123.4567', 'tel:[phone]'],
    ['06 12 34 56 78', '[phone]'],
    ['078-05-1120', '[ssn]'],
  ])('masks %s', (secret, replacement) => {
    expect(redactText(`before ${secret} after`)).toBe(`before ${replacement} after`);
  });

  it.each([
    KEEP_TEXT,
    '2024-08-05T12:00:00.000Z',
    '2024-08-05T13:00:00+01:00',
    'tick-20240805T1200Z',
    '29,050 USD',
    '1,234,567.89 USD',
    '3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b',
    '01234567-0123-4567-8901-234567890123',
    'message 1234567890 on risk.portfolio-risk.v1',
    'BTC 54321.50, ETH 3120.75, LTV 0.62',
    'closes 05-08-2024 and 2024/08/05',
    'version 1.10.2, build 20240805.1',
  ])('leaves %s as it was', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('masks an unterminated PEM block to the end of the text', () => {
    expect(redactText(`key: ${PEM.slice(0, 90)}`)).toBe('key: [pem]');
  });

  it('stays linear on 100 KB of hostile text', () => {
    const inputs = [
      'a'.repeat(100_000),
      '1 '.repeat(50_000),
      '+1 '.repeat(33_000),
      '0'.repeat(100_000),
      '-----BEGIN PRIVATE KEY-----'.repeat(4_000),
      'x@'.repeat(50_000),
      // Took 12-16 s each before the email, API-key and JWT patterns were anchored or bounded.
      'a.'.repeat(50_000),
      'sk-'.repeat(33_000),
      '12-'.repeat(33_000),
      ('https://h.example/' + 'a'.repeat(19) + '/').repeat(2_500),
      '(555) '.repeat(16_000),
    ];
    for (const text of inputs) {
      const started = Date.now();
      redactText(text);
      redact({ detail: text, nested: [{ text }] });
      expect(Date.now() - started).toBeLessThan(1_000);
    }
  });
});

describe('redaction: binary values', () => {
  it('writes Buffers, typed arrays and ArrayBuffers as their size only', () => {
    const bytes = new Uint8Array(SECRET_BYTES);
    expect(
      redact({ body: SECRET_BYTES, view: bytes, raw: bytes.buffer, list: [new Uint16Array(4)] }),
    ).toEqual({
      body: `[binary ${SECRET_BYTES.length} bytes]`,
      view: `[binary ${SECRET_BYTES.length} bytes]`,
      raw: `[binary ${SECRET_BYTES.length} bytes]`,
      list: ['[binary 8 bytes]'],
    });
  });
});

describe('logger: the leak probes', () => {
  it.each(probes.map((p) => [p.what, p] as const))('%s never reach the emitted lines', (_what, p) => {
    const { sink, logger } = capture();
    p.log(logger);
    const out = sink.lines.join('\n');
    expect(sink.lines.length).toBeGreaterThan(0);
    expect(p.secrets.filter((s) => out.includes(s))).toEqual([]);
    for (const entry of sink.entries()) expect(entry).toMatchObject(KEEP);
    expect(out).toContain(KEEP_TEXT);
  });
});

describe('logger: a Persona inquiry.approved event', () => {
  const inquiry = {
    id: KEEP.inquiryId,
    status: 'approved',
    referenceId: 'cust-0042',
    templateId: 'itmpl_Zq7Rk2Mp9Wx4Lt6Nb3Vc8Hs1',
    createdAt: '2024-08-05T11:50:00.000Z',
    personal: PERSONAL,
  };
  const event = (inflection: KeyInflection) =>
    personaInquiryEvent({
      eventId: KEEP.eventId,
      name: 'inquiry.approved',
      createdAt: '2024-08-05T12:00:00.000Z',
      inquiry,
      inflection,
    });

  const shapes: [string, () => unknown][] = [
    ['as Persona sends it (kebab-case)', () => event('kebab')],
    ['as Persona sends it with snake_case inflection', () => event('snake')],
    ['as Persona sends it with camelCase inflection', () => event('camel')],
    ['camelCased by camelizeKeys, as the code holds it', () => camelizeKeys(event('kebab'))],
    ['as raw bytes of the request body', () => Buffer.from(JSON.stringify(event('kebab')))],
  ];

  it.each(shapes)('%s: no personal value reaches the line', (_shape, build) => {
    const { sink, logger } = capture();
    const body = build();
    logger.info('persona webhook received', { ...KEEP, body });
    logger.info('persona inquiry attributes', {
      ...KEEP,
      attributes: (camelizeKeys(event('kebab')) as { data: { attributes: { payload: unknown } } }).data
        .attributes.payload,
    });
    const out = sink.lines.join('\n');
    expect(PERSONAL_SECRETS.filter((s) => out.includes(s))).toEqual([]);
    for (const entry of sink.entries()) expect(entry).toMatchObject(KEEP);
    // The event's ids and outcome stay readable for whoever follows the inquiry.
    const [received, attributes] = sink.lines;
    if (!Buffer.isBuffer(body)) {
      expect(received).toContain(KEEP.eventId);
      expect(received).toContain(KEEP.inquiryId);
      expect(received).toContain('cust-0042');
      expect(received).toContain('"status":"approved"');
      expect(received).toContain('"value":"BE"');
    }
    expect(attributes).toContain(KEEP.inquiryId);
  });
});
