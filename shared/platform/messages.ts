import { validate } from '../contracts/validation';
import { isTopic, topicSchema, type TopicName } from '../topology/topology';

/** Checks a message against its topic's declared schema and serialises it; both EventBus adapters use it. */
export function encodeMessage(topic: TopicName, message: unknown): Buffer {
  if (!isTopic(topic))
    throw new Error(`topic ${String(topic)} is not declared in shared/contracts/topology.json`);
  const schema = topicSchema(topic);
  if (schema) validate(schema, message);
  return Buffer.from(JSON.stringify(message));
}

/** Raw forwarding is only for schema-less topics (dead letters), so contract checks cannot be bypassed. */
export function checkRawTopic(topic: TopicName): void {
  if (!isTopic(topic))
    throw new Error(`topic ${String(topic)} is not declared in shared/contracts/topology.json`);
  if (topicSchema(topic)) throw new Error(`topic ${topic} has a schema: publish validated messages instead`);
}
