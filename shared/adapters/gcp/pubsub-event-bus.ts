import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { EventBus, PublishOptions } from '../../ports/event-bus';
import type { TopicName } from '../../topology/topology';
import { checkRawTopic, encodeMessage } from '../../platform/messages';

/**
 * Pub/Sub publisher (also serves the local emulator when PUBSUB_EMULATOR_HOST is set or apiEndpoint given).
 * Every message is checked against its topic's schema before it leaves: a consumer never sees a
 * message this system produced that breaks the contract.
 */
export class PubSubEventBus implements EventBus {
  private client?: Promise<PubSub>;
  private readonly topics = new Map<string, Topic>();

  constructor(private readonly options: { projectId: string; apiEndpoint?: string }) {}

  private pubsub(): Promise<PubSub> {
    // Imported lazily so functions that never publish pay nothing for the SDK at cold start.
    this.client ??= import('@google-cloud/pubsub').then(
      ({ PubSub }) =>
        new PubSub({
          projectId: this.options.projectId,
          ...(this.options.apiEndpoint ? { apiEndpoint: this.options.apiEndpoint, emulatorMode: true } : {}),
        }),
    );
    return this.client;
  }

  async publish(topic: TopicName, message: unknown, options: PublishOptions = {}): Promise<string> {
    return this.send(topic, encodeMessage(topic, message), options);
  }

  async publishRaw(topic: TopicName, data: Buffer, options: PublishOptions = {}): Promise<string> {
    checkRawTopic(topic);
    return this.send(topic, data, options);
  }

  private async send(topic: TopicName, data: Buffer, options: PublishOptions): Promise<string> {
    const client = await this.pubsub();
    let t = this.topics.get(topic);
    if (!t) {
      t = client.topic(topic, { batching: { maxMilliseconds: 1, maxMessages: 500 } });
      this.topics.set(topic, t);
    }
    return t.publishMessage({ data, attributes: options.attributes });
  }

  async close(): Promise<void> {
    if (this.client) await (await this.client).close();
  }
}
