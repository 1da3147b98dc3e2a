/**
 * `npm run replay-dead-letters -- [--dry-run] [--topic T] [--reason R] [--max N]`: after the fix is deployed, pulls
 * dead letters from the inspection subscription `dead-letter.v1.inspect` and re-publishes each one's original bytes
 * and attributes to the topic it came from, then acknowledges it.
 *
 * - Source topic: `fusion-source-topic` (set by our handlers when they reject a message), or, for a message that
 *   Pub/Sub's own dead-letter policy moved after its delivery attempts, the topic of the subscription named in
 *   `CloudPubSubDeadLetterSourceSubscription` (shared/contracts/topology.json).
 * - Attributes: the original ones, without the `fusion-*` rejection attributes and Pub/Sub's
 *   `CloudPubSubDeadLetter*` ones, plus `fusion-replayed-from` = the dead letter's message id.
 * - Safety: each message is validated against its source topic's schema first; one that still fails (or whose topic
 *   is unknown) is left un-acknowledged and reported. A dead letter is acknowledged only after the publish
 *   succeeded. Messages not selected (--topic, --reason, --max) are released untouched.
 * - --dry-run lists id, source topic, reason and age — never the payload (it may hold personal data) — and
 *   publishes and acknowledges nothing.
 *
 * Exit 0 when every selected message was replayed (or listed), 1 when any was left, 2 for a bad command line.
 * Where: the Pub/Sub emulator named by PUBSUB_EMULATOR_HOST, or GOOGLE_CLOUD_PROJECT's Pub/Sub (Application Default
 * Credentials with pubsub.subscriber on the inspection subscription and pubsub.publisher on the source topics).
 */
import type { ClientConfig, PubSub } from '@google-cloud/pubsub';
import { SchemaViolation, validate } from '../shared/contracts/validation';
import { isTopic, SUBSCRIPTIONS, topicSchema, type TopicName } from '../shared/topology/topology';
import { runAsProcess, withArgs, type CommandIo } from './command';

export const INSPECT_SUBSCRIPTION = 'dead-letter.v1.inspect';
export const REPLAYED_FROM = 'fusion-replayed-from';

export type ReplayIo = CommandIo;

const USAGE =
  'usage: replay-dead-letters [--dry-run] [--topic TOPIC] [--reason REASON] [--max N] [--subscription NAME]';

export interface ReplayArgs {
  dryRun: boolean;
  topic?: string;
  reason?: string;
  max: number;
  subscription: string;
}

export function parseReplayArgs(argv: string[]): ReplayArgs | string {
  const a: ReplayArgs = { dryRun: false, max: 1000, subscription: INSPECT_SUBSCRIPTION };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--dry-run') {
      a.dryRun = true;
      continue;
    }
    if (!['--topic', '--reason', '--max', '--subscription'].includes(arg))
      return `unexpected argument '${arg}'`;
    const v = argv[++i];
    if (v === undefined || v.startsWith('--')) return `${arg} needs a value`;
    if (arg === '--topic') {
      if (!isTopic(v) || !topicSchema(v)) return `not a topic with a schema: ${v}`;
      a.topic = v;
    } else if (arg === '--reason') a.reason = v;
    else if (arg === '--subscription') a.subscription = v;
    else {
      if (!/^[1-9]\d{0,5}$/.test(v)) return `--max needs a positive whole number, got ${v}`;
      a.max = Number(v);
    }
  }
  return a;
}

/** A pulled dead letter, as much as the command needs of it. */
export interface DeadLetter {
  ackId: string;
  messageId: string;
  data: Buffer;
  attributes: Record<string, string>;
  publishTime?: Date;
}

/** Where a dead letter came from and why, from its attributes. */
export function originOf(attributes: Record<string, string>): { topic?: string; reason: string } {
  const fromHandler = attributes['fusion-source-topic'];
  if (fromHandler) return { topic: fromHandler, reason: attributes['fusion-reason'] || 'rejected' };
  const sub = attributes['CloudPubSubDeadLetterSourceSubscription'];
  if (sub) {
    const name = sub.split('/').pop();
    return {
      topic: SUBSCRIPTIONS.find((s) => s.name === name)?.topic,
      reason: 'delivery-attempts-exhausted',
    };
  }
  return { reason: attributes['fusion-reason'] || 'unknown' };
}

/** The attributes a replayed message carries: the original ones, marked as replayed from this dead letter. */
export function replayAttributes(
  attributes: Record<string, string>,
  deadLetterId: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes))
    if (!k.startsWith('fusion-') && !k.startsWith('CloudPubSubDeadLetter')) out[k] = v;
  out[REPLAYED_FROM] = deadLetterId;
  return out;
}

/** Why a message may not be replayed, or undefined when it may (validated against its topic's schema). */
export function replayProblem(topic: string | undefined, data: Buffer): string | undefined {
  if (!topic)
    return 'source topic unknown (no fusion-source-topic, no known dead-letter source subscription)';
  if (!isTopic(topic)) return `source topic ${topic} is not declared in the topology`;
  const schema = topicSchema(topic);
  if (!schema) return `source topic ${topic} has no schema: not replayable`;
  let body: unknown;
  try {
    body = JSON.parse(data.toString('utf8'));
  } catch {
    return 'payload is not JSON';
  }
  try {
    validate(schema, body);
  } catch (err) {
    // Problems name paths and keywords, not values.
    if (err instanceof SchemaViolation) return `still fails ${schema}: ${err.problems.join('; ')}`;
    throw err;
  }
  return undefined;
}

/** What the command needs of Pub/Sub: synchronous pull, ack, release, publish. */
export interface DeadLetterSource {
  pull(max: number): Promise<DeadLetter[]>;
  ack(ackIds: string[]): Promise<void>;
  release(ackIds: string[]): Promise<void>;
  publish(topic: TopicName, data: Buffer, attributes: Record<string, string>): Promise<string>;
}

function age(publishTime: Date | undefined, now: Date): string {
  if (!publishTime) return '?';
  const s = Math.max(0, Math.round((now.getTime() - publishTime.getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

/** Replays (or lists) the dead letters; resolves the exit code. */
export async function replayDeadLetters(
  args: ReplayArgs,
  source: DeadLetterSource,
  io: ReplayIo,
  now: () => Date = () => new Date(),
): Promise<number> {
  const seen = new Set<string>();
  const held: string[] = [];
  let selected = 0;
  let replayed = 0;
  let left = 0;
  let skipped = 0;
  try {
    while (selected < args.max) {
      const batch = await source.pull(Math.min(100, args.max - selected + 10));
      const fresh = batch.filter((m) => !seen.has(m.messageId));
      // Redelivered ones (already seen in this run) are released again; nothing new means we are through.
      held.push(...batch.filter((m) => seen.has(m.messageId)).map((m) => m.ackId));
      if (fresh.length === 0) break;
      for (const m of fresh) {
        seen.add(m.messageId);
        const { topic, reason } = originOf(m.attributes);
        const chosen =
          selected < args.max &&
          (!args.topic || topic === args.topic) &&
          (!args.reason || reason === args.reason);
        if (!chosen) {
          skipped++;
          held.push(m.ackId);
          continue;
        }
        selected++;
        const line = `${m.messageId}  ${topic ?? '(unknown topic)'}  ${reason}  ${age(m.publishTime, now())}`;
        if (args.dryRun) {
          io.out(line);
          held.push(m.ackId);
          continue;
        }
        const problem = replayProblem(topic, m.data);
        if (problem) {
          left++;
          io.out(`${line}  LEFT: ${problem}`);
          held.push(m.ackId);
          continue;
        }
        let published: string;
        try {
          published = await source.publish(
            topic as TopicName,
            m.data,
            replayAttributes(m.attributes, m.messageId),
          );
        } catch (err) {
          left++;
          io.out(`${line}  LEFT: publish failed: ${err instanceof Error ? err.message : String(err)}`);
          held.push(m.ackId);
          continue;
        }
        try {
          await source.ack([m.ackId]);
        } catch (err) {
          // Published but still a dead letter: a second replay would publish it again, which consumers absorb
          // (they are idempotent), but say so.
          left++;
          io.out(
            `${line}  LEFT: replayed as ${published} but the ack failed (${err instanceof Error ? err.message : String(err)})`,
          );
          continue;
        }
        replayed++;
        io.out(`${line}  replayed as ${published}`);
      }
    }
  } finally {
    if (held.length)
      await source.release(held).catch((e: unknown) => io.err(`could not release leases: ${String(e)}`));
  }
  if (args.dryRun)
    io.out(
      `${selected} dead letter(s) listed; dry run: nothing published or acknowledged (${skipped} not selected)`,
    );
  else io.out(`${replayed} replayed, ${left} left, ${skipped} not selected`);
  return left ? 1 : 0;
}

interface Received {
  ackId?: string | null;
  message?: {
    messageId?: string | null;
    data?: Uint8Array | string | null;
    attributes?: Record<string, string> | null;
    publishTime?: { seconds?: number | string | { toString(): string } | null; nanos?: number | null } | null;
  } | null;
}

/** The inspection subscription and the source topics on Pub/Sub (the emulator when PUBSUB_EMULATOR_HOST is set). */
export async function pubSubDeadLetters(
  projectId: string,
  subscription: string,
): Promise<DeadLetterSource & { close(): Promise<void> }> {
  const { PubSub, v1 } = await import('@google-cloud/pubsub');
  const pubsub: PubSub = new PubSub({ projectId });
  // The PubSub client resolves the emulator (PUBSUB_EMULATOR_HOST: plain-text endpoint) into its options.
  const subscriber = new v1.SubscriberClient({
    ...(pubsub.options as ClientConfig),
    projectId,
  } as unknown as ConstructorParameters<typeof v1.SubscriberClient>[0]);
  const path = `projects/${projectId}/subscriptions/${subscription}`;
  const emulator = Boolean(process.env.PUBSUB_EMULATOR_HOST);
  let empties = 0;
  return {
    async pull(max) {
      for (;;) {
        let received: Received[] = [];
        try {
          const [res] = await subscriber.pull(
            { subscription: path, maxMessages: max, returnImmediately: emulator },
            { timeout: 10_000 },
          );
          received = (res.receivedMessages ?? []) as Received[];
        } catch (err) {
          if ((err as { code?: number }).code !== 4) throw err; // DEADLINE_EXCEEDED: nothing right now
        }
        // A synchronous pull may come back empty while messages wait: ask twice before calling it done.
        if (received.length === 0 && !emulator && ++empties < 2) continue;
        empties = 0;
        return received.map((r) => {
          const m = r.message ?? {};
          const seconds = m.publishTime?.seconds;
          return {
            ackId: r.ackId ?? '',
            messageId: m.messageId ?? '',
            data: Buffer.from(m.data ?? ''),
            attributes: { ...(m.attributes ?? {}) },
            publishTime:
              seconds === undefined || seconds === null
                ? undefined
                : new Date(Number(seconds) * 1000 + Math.floor((m.publishTime?.nanos ?? 0) / 1e6)),
          };
        });
      }
    },
    async ack(ackIds) {
      await subscriber.acknowledge({ subscription: path, ackIds });
    },
    async release(ackIds) {
      for (let i = 0; i < ackIds.length; i += 1000)
        await subscriber.modifyAckDeadline({
          subscription: path,
          ackIds: ackIds.slice(i, i + 1000),
          ackDeadlineSeconds: 0,
        });
    },
    async publish(topic, data, attributes) {
      return pubsub.topic(topic).publishMessage({ data, attributes });
    },
    async close() {
      await subscriber.close();
      await pubsub.close();
    },
  };
}

const main = () => withArgs(parseReplayArgs, USAGE, run);

async function run(args: ReplayArgs, io: ReplayIo): Promise<number> {
  const projectId = process.env.GOOGLE_CLOUD_PROJECT;
  if (!projectId) {
    io.err(`GOOGLE_CLOUD_PROJECT is not set\n${USAGE}`);
    return 2;
  }
  const source = await pubSubDeadLetters(projectId, args.subscription);
  try {
    return await replayDeadLetters(args, source, io);
  } finally {
    await source.close();
  }
}

if (require.main === module) runAsProcess(main);
