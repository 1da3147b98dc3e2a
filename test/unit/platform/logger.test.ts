/**
 * Logs go to Cloud Logging as one JSON object per line. Nothing personal or secret may reach them: a log
 * sink is read by far more people, and kept far longer, than the systems that hold the data.
 */
import { CapturingSink } from '../../support/capturing-sink';
import { StructuredLogger } from '../../../shared/platform/logger';
import type { Logger } from '../../../shared/ports/logger';

const PROJECT = 'fusion-risk-dev';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function capture(options: { minSeverity?: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' } = {}) {
  const sink = new CapturingSink();
  const logger = new StructuredLogger({ sink: sink.sink, projectId: PROJECT, ...options });
  return { sink, logger };
}

describe('StructuredLogger: Cloud Logging format', () => {
  it('writes one JSON object per line with severity, message, time and the trace resource name', () => {
    const { sink, logger } = capture();
    logger.info('tick ingested\nsecond line', { traceId: TRACE, tickId: 'tick-20240805T1200Z', assets: 2 });
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).not.toContain('\n');
    const [entry] = sink.entries();
    expect(entry).toEqual({
      severity: 'INFO',
      message: 'tick ingested\nsecond line',
      time: expect.stringMatching(ISO),
      'logging.googleapis.com/trace': `projects/${PROJECT}/traces/${TRACE}`,
      tickId: 'tick-20240805T1200Z',
      assets: 2,
    });
    expect(entry).not.toHaveProperty('traceId');
  });

  it('maps each method to its Cloud Logging severity and drops entries below the minimum', () => {
    const all = capture();
    all.logger.debug('d');
    all.logger.info('i');
    all.logger.warn('w');
    all.logger.error('e');
    expect(all.sink.entries().map((e) => [e.message, e.severity])).toEqual([
      ['d', 'DEBUG'],
      ['i', 'INFO'],
      ['w', 'WARNING'],
      ['e', 'ERROR'],
    ]);
    const quiet = capture({ minSeverity: 'WARNING' });
    quiet.logger.debug('d');
    quiet.logger.info('i');
    quiet.logger.warn('w');
    quiet.logger.error('e');
    expect(quiet.sink.entries().map((e) => e.severity)).toEqual(['WARNING', 'ERROR']);
  });

  it('lets a child carry fields (and the trace) into every entry without changing its parent', () => {
    const { sink, logger } = capture();
    const fn = logger.child({ functionName: 'detectMarginEvents', traceId: TRACE });
    const msg = fn.child({ messageId: '1234567890', topic: 'risk.portfolio-risk.v1' });
    msg.warn('observation ignored', { portfolioId: 'desk-001', topic: 'overridden.by.call' });
    logger.info('parent');
    const [child, parent] = sink.entries();
    expect(child).toMatchObject({
      severity: 'WARNING',
      functionName: 'detectMarginEvents',
      messageId: '1234567890',
      topic: 'overridden.by.call',
      portfolioId: 'desk-001',
      'logging.googleapis.com/trace': `projects/${PROJECT}/traces/${TRACE}`,
    });
    expect(Object.keys(parent).sort()).toEqual(['message', 'severity', 'time']);
  });

  it('does not let a logged field forge the entry’s severity, message or time', () => {
    const { sink, logger } = capture();
    // A margin alert carries its own `severity` (INFO/WARNING/CRITICAL); logging it must not relabel the entry.
    logger.error('margin alert delivery failed', {
      severity: 'INFO',
      message: 'all good',
      time: '1999-01-01T00:00:00.000Z',
    });
    const [entry] = sink.entries();
    expect(entry.severity).toBe('ERROR');
    expect(entry.message).toBe('margin alert delivery failed');
    expect(entry.time).not.toBe('1999-01-01T00:00:00.000Z');
  });
});

/** What must survive redaction untouched: operators need these to follow a tick through the system. */
const KEEP_TEXT =
  'desk-001 at tick-20240805T1200Z: BTC 54321.50 as of 2024-08-05T12:00:00.000Z (13:00:00+01:00)';
const KEEP = {
  portfolioId: 'desk-001',
  tickId: 'tick-20240805T1200Z',
  asOf: '2024-08-05T12:00:00.000Z',
  publishedAt: '2024-08-05T13:00:00+01:00',
  priceUsd: 54321.5,
  summary: KEEP_TEXT,
};

const HEX64 = '6f1ad4c8b2e94d07a3c5f8e1b7d2094a6c3e5f7a9b1d3c5e7f9a0b2c4d6e8f0a';
const ALCHEMY_KEY = 'AlchKey9xQ2mZ7pL4vT8wR1';
const INFURA_KEY = '0123456789abcdef0123456789abcdef';

/** Fields as text, errors included (JSON.stringify alone drops an Error's message). */
function raw(fields: unknown): string {
  return JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? { message: v.message } : v));
}

interface LeakCase {
  what: string;
  log: (logger: Logger) => void;
  secrets: string[];
}

const cases: LeakCase[] = [
  {
    what: 'email addresses',
    log: (l) => {
      l.info(`margin call for ${KEEP.portfolioId}: notifying jane.okafor@example.com`, { ...KEEP });
      l.info('recipients resolved', {
        ...KEEP,
        email: 'jane.okafor@example.com',
        recipients: [
          { channel: 'email', to: 'ops+alerts@fusion-desk.io' },
          { channel: 'webhook', url: 'https://hooks.example.com/desk-001' },
        ],
        note: `bounced: <risk.team@lender.co.uk> (${KEEP_TEXT})`,
      });
    },
    secrets: ['jane.okafor', 'ops+alerts@fusion-desk.io', 'risk.team@lender.co.uk'],
  },
  {
    what: 'phone numbers',
    log: (l) => {
      l.info('sms queued', { ...KEEP, phone: '+44 20 7946 0958', to: '(555) 123-4567' });
      l.info(`sms to +44 20 7946 0958 failed; fallback (555) 123-4567 (${KEEP_TEXT})`, {
        ...KEEP,
        contacts: [{ mobile: '+1 (415) 555-0132' }, '+44 7700 900123'],
      });
    },
    secrets: ['7946 0958', '7946', '123-4567', '555-0132', '7700 900123'],
  },
  {
    what: 'names',
    log: (l) => {
      l.info('kyc case advanced', {
        ...KEEP,
        applicant: { firstName: 'Jane', lastName: 'Okafor', fullName: 'Jane Okafor', name: 'Jane Okafor' },
      });
      // Persona sends inquiry attributes with these exact keys.
      l.info('persona inquiry completed', {
        ...KEEP,
        attributes: {
          'name-first': 'Jane',
          'name-middle': 'Adaeze',
          'name-last': 'Okafor',
          status: 'approved',
        },
      });
    },
    secrets: ['Jane', 'Okafor', 'Adaeze'],
  },
  {
    what: 'postal addresses',
    log: (l) => {
      l.info('address verified', {
        ...KEEP,
        address: { line1: '221B Baker Street', city: 'London', postcode: 'NW1 6XE' },
      });
      l.info('persona address', {
        ...KEEP,
        attributes: { 'address-street-1': '221B Baker Street', 'address-postal-code': 'NW1 6XE' },
      });
      l.info('customer on file', {
        ...KEEP,
        customer: { addresses: [{ line1: '10 Downing Street', city: 'London', postcode: 'SW1A 2AA' }] },
      });
    },
    secrets: ['Baker Street', 'NW1 6XE', 'Downing Street', 'SW1A 2AA'],
  },
  {
    what: 'dates of birth',
    log: (l) => {
      l.info('age check', {
        ...KEEP,
        dateOfBirth: '1985-03-14',
        dob: '1985-03-14',
        attributes: { birthdate: '1985-03-14' },
      });
    },
    secrets: ['1985-03-14', '1985'],
  },
  {
    what: 'API keys',
    log: (l) => {
      l.info('provider configured', {
        ...KEEP,
        apiKey: 'persona_production_8f2c1b5e9d4a7f3e6b1c',
        twilio: {
          accountSid: 'AC0f1e2d3c4b5a69788796a5b4c3d2e1f0',
          authToken: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
        },
      });
      l.error('sendgrid rejected the key', {
        ...KEEP,
        detail: `key 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 is revoked (${KEEP_TEXT})`,
        config: { 'x-api-key': 'pk_live_51HbT0aE7x9Qz2mLkR4' },
      });
    },
    secrets: [
      'persona_production_8f2c1b5e9d4a7f3e6b1c',
      '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      'ngeVfQFYQlKU0ufo8x5d1A',
      'TwL2iGABf9DHoTf',
      '51HbT0aE7x9Qz2mLkR4',
    ],
  },
  {
    what: 'bearer tokens',
    log: (l) => {
      l.info('calling Hermes', {
        ...KEEP,
        headers: { Authorization: 'Bearer ya29.a0AfB_byC1xyzSecretToken', accept: 'application/json' },
      });
      l.warn(`401 from provider with Bearer ya29.a0AfB_byC1xyzSecretToken (${KEEP_TEXT})`, { ...KEEP });
      l.info('session', {
        ...KEEP,
        session: { accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYW5lIn0.c2lnbmF0dXJl' },
      });
    },
    secrets: ['ya29.a0AfB_byC1xyzSecretToken', 'eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJqYW5lIn0'],
  },
  {
    what: 'webhook signing secrets (whsec_…)',
    log: (l) => {
      l.info('endpoint registered', { ...KEEP, signingSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
      l.info(`rotated to whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD (${KEEP_TEXT})`, { ...KEEP });
      l.info('endpoints', {
        ...KEEP,
        endpoints: [{ url: 'https://hooks.example.com/a', config: 'whsec_QWERTYuiop123456' }],
      });
    },
    secrets: ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'C2FVsBQIhrscChlQIMV', 'QWERTYuiop123456'],
  },
  {
    what: 'Persona-Signature values',
    log: (l) => {
      l.warn('persona signature mismatch', {
        ...KEEP,
        headers: { 'Persona-Signature': `t=1722859200,v1=${HEX64}`, 'content-type': 'application/json' },
      });
      l.warn(`rejected callback: header was t=1722859200,v1=${HEX64} (${KEEP_TEXT})`, { ...KEEP });
    },
    secrets: [HEX64, HEX64.slice(0, 32)],
  },
  {
    what: 'RPC URLs with keys',
    log: (l) => {
      l.info('chainlink configured', {
        ...KEEP,
        rpcUrl: `https://eth-mainnet.g.alchemy.com/v2/${ALCHEMY_KEY}`,
      });
      l.error('chainlink read failed', {
        ...KEEP,
        error: new Error(
          `HTTP request failed.\n\nStatus: 429\nURL: https://eth-mainnet.g.alchemy.com/v2/${ALCHEMY_KEY}`,
        ),
      });
      l.error('fallback node failed', {
        ...KEEP,
        attempts: [
          { node: 'infura', detail: `POST https://mainnet.infura.io/v3/${INFURA_KEY} timed out` },
          { node: 'ankr', detail: 'GET https://rpc.ankr.com/eth?apikey=AnkrSecret42abc 503' },
        ],
      });
    },
    secrets: [ALCHEMY_KEY, INFURA_KEY, 'AnkrSecret42abc'],
  },
  {
    what: 'secrets inside errors, their causes and arrays of errors',
    log: (l) => {
      const inner = new Error('twilio 401 for +44 20 7946 0958 using Bearer tok_live_abcdef123456');
      l.error('notification failed', {
        ...KEEP,
        error: new Error('SendGrid 400: recipient jane.okafor@example.com rejected', { cause: inner }),
        failures: [inner, { error: new Error('whsec_ZXCVBNasdfgh1234 invalid') }],
      });
    },
    secrets: ['jane.okafor', '7946 0958', 'tok_live_abcdef123456', 'ZXCVBNasdfgh1234'],
  },
];

describe('StructuredLogger: no personal data or secret appears in logs', () => {
  it.each(cases.map((c) => [c.what, c] as const))('%s never reach the emitted lines', (_what, c) => {
    const { sink, logger } = capture();
    // Record what the code handed the logger, to count the harmless text that must come out unchanged.
    const input: string[] = [];
    const recording: Logger = {
      debug: (m, f) => (input.push(m, raw(f)), logger.debug(m, f)),
      info: (m, f) => (input.push(m, raw(f)), logger.info(m, f)),
      warn: (m, f) => (input.push(m, raw(f)), logger.warn(m, f)),
      error: (m, f) => (input.push(m, raw(f)), logger.error(m, f)),
      child: () => {
        throw new Error('not used');
      },
    };
    c.log(recording);
    const out = sink.lines.join('\n');
    expect(sink.lines.length).toBeGreaterThan(0);
    expect(c.secrets.filter((s) => out.includes(s))).toEqual([]);
    // ...while what operators need to follow a tick survives intact, as values and inside text.
    for (const entry of sink.entries()) {
      expect(entry).toMatchObject(KEEP);
      expect(entry.severity).toMatch(/^(INFO|WARNING|ERROR)$/);
    }
    // Text around a redacted secret is left as it was.
    const occurrences = (text: string) => text.split(KEEP_TEXT).length - 1;
    expect(occurrences(out)).toBe(occurrences(input.join('\n')));
  });

  it('still logs the shape of an error (its name and redacted message)', () => {
    const { sink, logger } = capture();
    logger.error('delivery failed', { error: new TypeError('fetch failed for jane.okafor@example.com') });
    const [entry] = sink.entries();
    expect(entry.error).toMatchObject({ name: 'TypeError', message: 'fetch failed for [email]' });
  });
});
