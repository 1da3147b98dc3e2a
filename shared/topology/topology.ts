/** Typed access to shared/contracts/topology.json, the one declaration of topics, subscriptions and schedules. */
import topologyJson from '../contracts/topology.json';
import type { SchemaName } from '../contracts/schema-registry';

export type TopicName = keyof typeof topologyJson.topics;
export type FunctionName = keyof typeof topologyJson.functions;

export interface SubscriptionSpec {
  name: string;
  topic: TopicName;
  function: FunctionName;
  deadLetterTopic: TopicName;
  maxDeliveryAttempts: number;
  minimumBackoff: string;
  maximumBackoff: string;
  ackDeadlineSeconds: number;
  messageRetentionDuration: string;
}

export interface FunctionSpec {
  name: FunctionName;
  folder: string;
  trigger: 'http' | 'pubsub';
  /** Internet-facing: served through the HTTPS load balancer (terraform/modules/edge), never called by us. */
  public: boolean;
  /**
   * The setting in which the function checks its callers itself (e.g. RISK_CHECK_CALLERS); Terraform sets it to
   * every service account that holds run.invoker on the function.
   */
  callersSetting?: string;
  publishes: TopicName[];
  schedule?: { cron: string; timeZone: string; attemptDeadline: string };
  subscriptions: SubscriptionSpec[];
}

interface RawSubscription {
  name: string;
  topic: string;
  maxDeliveryAttempts?: number;
  minimumBackoff?: string;
  maximumBackoff?: string;
  ackDeadlineSeconds?: number;
}

export const TOPICS = Object.keys(topologyJson.topics) as TopicName[];

export function topicSchema(topic: TopicName): SchemaName | null {
  return topologyJson.topics[topic].schema as SchemaName | null;
}

export function isTopic(name: string): name is TopicName {
  return Object.prototype.hasOwnProperty.call(topologyJson.topics, name);
}

const defaults = topologyJson.subscriptionDefaults;

export const FUNCTIONS: FunctionSpec[] = (
  Object.entries(topologyJson.functions) as [FunctionName, (typeof topologyJson.functions)[FunctionName]][]
).map(([name, f]) => {
  const raw = ('subscriptions' in f ? f.subscriptions : []) as RawSubscription[];
  return {
    name,
    folder: f.folder,
    trigger: f.trigger as 'http' | 'pubsub',
    public: 'public' in f ? f.public : false,
    callersSetting: 'callersSetting' in f ? f.callersSetting : undefined,
    publishes: f.publishes as TopicName[],
    schedule: 'schedule' in f ? f.schedule : undefined,
    subscriptions: raw.map((s) => ({
      name: s.name,
      topic: s.topic as TopicName,
      function: name,
      deadLetterTopic: defaults.deadLetterTopic as TopicName,
      maxDeliveryAttempts: s.maxDeliveryAttempts ?? defaults.maxDeliveryAttempts,
      minimumBackoff: s.minimumBackoff ?? defaults.minimumBackoff,
      maximumBackoff: s.maximumBackoff ?? defaults.maximumBackoff,
      ackDeadlineSeconds: s.ackDeadlineSeconds ?? defaults.ackDeadlineSeconds,
      messageRetentionDuration: defaults.messageRetentionDuration,
    })),
  };
});

export const SUBSCRIPTIONS: SubscriptionSpec[] = FUNCTIONS.flatMap((f) => f.subscriptions);

/**
 * A caller outside this system (the lending platform): the topics it publishes to and the HTTP API functions it
 * calls. Terraform grants exactly these to the service accounts an environment names for it.
 */
export interface OutsideCaller {
  name: string;
  description: string;
  publishes: TopicName[];
  invokes: FunctionName[];
}

export const OUTSIDE_CALLERS: OutsideCaller[] = Object.entries(topologyJson.outsideCallers).map(
  ([name, c]) => ({
    name,
    description: c.description,
    publishes: c.publishes as TopicName[],
    invokes: c.invokes as FunctionName[],
  }),
);
