import type { EventBus, PublishOptions } from '../../../shared/ports/event-bus';
import type { TopicName } from '../../../shared/topology/topology';
import { checkRawTopic, encodeMessage } from '../../../shared/platform/messages';

export interface RecordedMessage {
  id: string;
  topic: TopicName;
  data: unknown;
  attributes: Record<string, string>;
}

/** Keeps published messages in memory, for unit tests of use cases. Validates exactly like Pub/Sub. */
export class MemoryEventBus implements EventBus {
  readonly messages: RecordedMessage[] = [];
  /** Set to make the next publishes fail, to exercise retry paths. */
  failNext = 0;

  async publish(topic: TopicName, message: unknown, options: PublishOptions = {}): Promise<string> {
    const data = encodeMessage(topic, message);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('publish failed (injected)');
    }
    const id = String(this.messages.length + 1);
    this.messages.push({
      id,
      topic,
      data: JSON.parse(data.toString()),
      attributes: options.attributes ?? {},
    });
    return id;
  }

  async publishRaw(topic: TopicName, data: Buffer, options: PublishOptions = {}): Promise<string> {
    checkRawTopic(topic);
    const id = String(this.messages.length + 1);
    this.messages.push({ id, topic, data: data.toString('base64'), attributes: options.attributes ?? {} });
    return id;
  }

  on<T = unknown>(topic: TopicName): T[] {
    return this.messages.filter((m) => m.topic === topic).map((m) => m.data as T);
  }
}
