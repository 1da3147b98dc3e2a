import type { TopicMessages } from '../contracts/schema-types';
import type { TopicName } from '../topology/topology';

/** Topics whose messages have a schema: their message type is generated from it (npm run gen). */
export type MessageTopic = keyof TopicMessages;
/** Topics without a schema (the dead-letter topic): bytes are forwarded unchanged. */
export type RawTopic = Exclude<TopicName, MessageTopic>;

export interface PublishOptions {
  /** String attributes carried next to the payload (ids for downstream de-duplication, reasons, ...). */
  attributes?: Record<string, string>;
}

/** Publishes one JSON message to a declared topic and resolves with the broker's message id. */
export interface EventBus {
  publish<T extends MessageTopic>(
    topic: T,
    message: TopicMessages[T],
    options?: PublishOptions,
  ): Promise<string>;
  /**
   * Forwards bytes unchanged to a topic that declares no schema (the dead-letter topic): a rejected message
   * keeps its original payload, as Pub/Sub's own dead-lettering does.
   */
  publishRaw(topic: RawTopic, data: Buffer, options?: PublishOptions): Promise<string>;
}
