import type { TopicName } from '../topology/topology';

export interface PublishOptions {
  /** String attributes carried next to the payload (ids for downstream de-duplication, reasons, ...). */
  attributes?: Record<string, string>;
}

/** Publishes one JSON message to a declared topic and resolves with the broker's message id. */
export interface EventBus {
  publish(topic: TopicName, message: unknown, options?: PublishOptions): Promise<string>;
  /**
   * Forwards bytes unchanged to a topic that declares no schema (the dead-letter topic): a rejected message
   * keeps its original payload, as Pub/Sub's own dead-lettering does.
   */
  publishRaw(topic: TopicName, data: Buffer, options?: PublishOptions): Promise<string>;
}
