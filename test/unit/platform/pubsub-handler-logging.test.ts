/**
 * A real Pub/Sub handler (shared/platform/pubsub-handler.ts) logging through the real logger: a route that
 * logs personal data, a poison message carrying an email, a transient failure whose message names a person.
 * What reaches the log lines must hold none of it; what operators need (topic, message id, reason) must.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import type { MarketPricesV1 } from '../../../shared/contracts/schema-types';
import { CapturingSink } from '../../support/capturing-sink';
import { StructuredLogger } from '../../../shared/platform/logger';
import { pubsubHandler, type MessagePublishedData } from '../../../shared/platform/triggers/pubsub-handler';
import type { Logger } from '../../../shared/ports/logger';

const PROJECT = 'fusion-risk-dev';
const EMAIL = 'jane.okafor@example.com';
const PHONE = '+44 20 7946 0958';
const SENSITIVE = [EMAIL, 'jane.okafor', PHONE, '7946 0958', 'Okafor', '221B Baker Street', '1985-03-14'];

const PRICES: MarketPricesV1 = {
  tickId: 'tick-20240805T1200Z',
  asOf: '2024-08-05T12:00:00.000Z',
  prices: [
    {
      asset: 'BTC',
      priceUsd: 54321.5,
      source: 'median',
      quality: 'CROSS_CHECKED',
      publishedAt: '2024-08-05T11:59:58.000Z',
    },
  ],
};

let seq = 0;
function push(payload: unknown, topic = 'market.prices.v1'): CloudEvent<MessagePublishedData> {
  const messageId = String(9_000_000 + ++seq);
  const data = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString(
    'base64',
  );
  return {
    specversion: '1.0',
    id: messageId,
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: `//pubsub.googleapis.com/projects/${PROJECT}/topics/${topic}`,
    data: {
      message: { data, messageId, attributes: { tickId: PRICES.tickId }, publishTime: PRICES.asOf },
      subscription: `projects/${PROJECT}/subscriptions/compute-portfolio-risk.market-prices`,
    },
  } as CloudEvent<MessagePublishedData>;
}

function setup(route: (m: MarketPricesV1, logger: Logger) => Promise<void>) {
  const sink = new CapturingSink();
  const bus = new MemoryEventBus();
  const logger = new StructuredLogger({ sink: sink.sink, projectId: PROJECT });
  const handler = pubsubHandler({
    functionName: 'computePortfolioRisk',
    bus,
    logger,
    routes: {
      'market.prices.v1': (m, ctx) => route(m, ctx.logger),
    },
  });
  const leaked = () => SENSITIVE.filter((s) => sink.lines.some((l) => l.includes(s)));
  return { sink, bus, handler, leaked };
}

describe('pubsubHandler logs no personal data', () => {
  it('redacts personal data a route logs, keeping the delivery context', async () => {
    const { sink, handler, leaked } = setup(async (m, logger) => {
      logger.child({ portfolioId: 'desk-001' }).info(`margin call: emailing ${EMAIL}`, {
        tickId: m.tickId,
        customer: { email: EMAIL, phone: PHONE, lastName: 'Okafor', address: '221B Baker Street' },
        recipients: [{ channel: 'sms', to: PHONE }],
        dateOfBirth: '1985-03-14',
      });
    });
    await handler(push(PRICES));
    expect(leaked()).toEqual([]);
    const [entry] = sink.entries();
    expect(entry).toMatchObject({
      severity: 'INFO',
      message: 'margin call: emailing [email]',
      functionName: 'computePortfolioRisk',
      topic: 'market.prices.v1',
      messageId: '9000001',
      portfolioId: 'desk-001',
      tickId: 'tick-20240805T1200Z',
    });
  });

  it('dead-letters a poison message carrying an email without logging the email', async () => {
    const routed: MarketPricesV1[] = [];
    const { sink, bus, handler, leaked } = setup(async (m) => {
      routed.push(m);
    });
    const poison = JSON.stringify({ ...PRICES, contact: EMAIL, [EMAIL]: PHONE });
    await handler(push(poison));
    await handler(push(`not json: call ${PHONE} or write to ${EMAIL}`));

    expect(routed).toEqual([]);
    expect(leaked()).toEqual([]);
    const entries = sink.entries();
    expect(entries.map((e) => [e.severity, e.message, e.reason])).toEqual([
      ['WARNING', 'message rejected and dead-lettered', 'schema-violation'],
      ['WARNING', 'message rejected and dead-lettered', 'malformed-json'],
    ]);
    // The operator still learns which property broke the contract (its name, with the email masked).
    expect(entries[0].detail).toContain("must NOT have additional properties 'contact'");
    expect(entries[0]).toMatchObject({ topic: 'market.prices.v1', messageId: '9000002' });
    // The dead letter itself keeps the original bytes for replay; only the logs are scrubbed.
    const dead = bus.messages.filter((m) => m.topic === 'dead-letter.v1');
    expect(dead).toHaveLength(2);
    expect(Buffer.from(dead[0].data as string, 'base64').toString()).toBe(poison);
    expect(dead[0].attributes['fusion-reason']).toBe('schema-violation');
  });

  it('logs a transient failure whose error names a person without the personal data, and lets Pub/Sub retry', async () => {
    const { sink, bus, handler, leaked } = setup(async () => {
      throw new Error(`SendGrid 503 while mailing ${EMAIL} (backup ${PHONE})`);
    });
    await expect(handler(push(PRICES))).rejects.toThrow('SendGrid 503');
    expect(leaked()).toEqual([]);
    const [entry] = sink.entries();
    expect(entry).toMatchObject({
      severity: 'ERROR',
      message: 'transient failure; Pub/Sub will redeliver',
      error: { name: 'Error', message: 'SendGrid 503 while mailing [email] (backup [phone])' },
    });
    expect(bus.messages).toEqual([]);
  });
});
