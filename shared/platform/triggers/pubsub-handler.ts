import type { CloudEvent } from '@google-cloud/functions-framework';
import { SchemaViolation, validate } from '../../contracts/validation';
import type { TopicMessages } from '../../contracts/schema-types';
import type { EventBus, RawTopic } from '../../ports/event-bus';
import type { Logger } from '../../ports/logger';
import { once } from '../once';
import { isTopic, topicSchema, SUBSCRIPTIONS, type TopicName } from '../../topology/topology';
import { isPermanent, PermanentError } from '../errors';

/** The body of a Pub/Sub push, as the Functions Framework hands it over in a CloudEvent. */
export interface MessagePublishedData {
  message?: {
    data?: string;
    attributes?: Record<string, string>;
    messageId?: string;
    publishTime?: string;
  };
  subscription?: string;
}

export interface MessageContext {
  topic: TopicName;
  messageId: string;
  attributes: Record<string, string>;
  publishTime?: string;
  logger: Logger;
}

/** The validated message a route receives: the topic's schema type (raw for schema-less topics). */
type SchemaOf<T extends TopicName> = T extends keyof TopicMessages ? TopicMessages[T] : unknown;

export type Routes = { [T in TopicName]?: (message: SchemaOf<T>, ctx: MessageContext) => Promise<unknown> };

/** Observes every delivery; the local stack counts flows with it. */
export type DeliveryObserver = (event: {
  functionName: string;
  topic: string;
  outcome: 'handled' | 'rejected' | 'failed';
  durationMs: number;
  /** HTTP functions: the status answered and its reason. */
  status?: number;
  reason?: string;
}) => void;

export interface PubSubHandlerOptions {
  functionName: string;
  routes: Routes;
  bus: EventBus;
  logger: Logger;
  observe?: DeliveryObserver;
}

const DEAD_LETTER_TOPIC: RawTopic = 'dead-letter.v1';

/** The topic comes from the push endpoint path (CloudEvent source) or, failing that, the subscription. */
export function topicOf(ce: CloudEvent<MessagePublishedData>): string | undefined {
  const m = /\/topics\/([^/?]+)/.exec(ce.source ?? '');
  if (m) return decodeURIComponent(m[1]);
  const sub = ce.data?.subscription?.split('/').pop();
  return SUBSCRIPTIONS.find((s) => s.name === sub)?.topic;
}

/**
 * Wraps use cases as a CloudEvent function: decode, validate against the topic's schema, call the route,
 * and map the outcome. Returning acknowledges (HTTP 204). A permanent failure is forwarded unchanged to the
 * dead-letter topic with its reason in the attributes, logged and acknowledged. Anything else is thrown,
 * so the push gets a 500 and Pub/Sub retries until the subscription's dead-letter policy takes over.
 */
export function pubsubHandler(
  options: PubSubHandlerOptions,
): (ce: CloudEvent<MessagePublishedData>) => Promise<void> {
  const { functionName, routes, bus } = options;
  return async (ce) => {
    const msg = ce.data?.message ?? {};
    const messageId = msg.messageId ?? ce.id;
    const topic = topicOf(ce) ?? 'unknown';
    const logger = options.logger.child({ functionName, topic, messageId });
    const raw = Buffer.from(msg.data ?? '', 'base64');
    const started = performance.now();
    const observe = (outcome: 'handled' | 'rejected' | 'failed') =>
      options.observe?.({ functionName, topic, outcome, durationMs: performance.now() - started });
    try {
      if (!isTopic(topic))
        throw new PermanentError(`message arrived from undeclared topic ${topic}`, 'unknown-topic');
      const route = routes[topic] as ((m: unknown, c: MessageContext) => Promise<unknown>) | undefined;
      if (!route) throw new PermanentError(`${functionName} does not consume ${topic}`, 'no-route');
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new PermanentError('payload is not JSON', 'malformed-json');
      }
      const schema = topicSchema(topic);
      const message = schema ? validate(schema, body) : body;
      await route(message, {
        topic,
        messageId,
        attributes: msg.attributes ?? {},
        publishTime: msg.publishTime,
        logger,
      });
      observe('handled');
    } catch (err) {
      const permanent = isPermanent(err) || err instanceof SchemaViolation;
      if (!permanent) {
        observe('failed');
        logger.error('transient failure; Pub/Sub will redeliver', { error: err });
        throw err;
      }
      const reason =
        err instanceof SchemaViolation
          ? 'schema-violation'
          : err instanceof PermanentError
            ? err.reason
            : (err as Error).name || 'permanent';
      logger.warn('message rejected and dead-lettered', { reason, detail: (err as Error).message });
      await bus.publishRaw(DEAD_LETTER_TOPIC, raw, {
        attributes: {
          ...(msg.attributes ?? {}),
          'fusion-rejected-by': functionName,
          'fusion-reason': reason,
          'fusion-detail': (err as Error).message.slice(0, 1000),
          'fusion-source-topic': topic,
          'fusion-source-message-id': messageId,
        },
      });
      observe('rejected');
    }
  };
}

/** A CloudEvent function whose dependencies are built on the first delivery (cold start) and then reused. */
export function lazyPubSubFunction<D extends { bus: EventBus; logger: Logger }>(
  functionName: string,
  deps: () => Promise<D>,
  routes: (d: D) => Routes,
  observe?: DeliveryObserver,
): (ce: CloudEvent<MessagePublishedData>) => Promise<void> {
  // A failed cold start is retried on the next delivery.
  const handler = once(async () => {
    const d = await deps();
    return pubsubHandler({ functionName, bus: d.bus, logger: d.logger, observe, routes: routes(d) });
  });
  return async (ce) => (await handler())(ce);
}
