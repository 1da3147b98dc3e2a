/**
 * The operators' command `npm run replay-dead-letters` against the Pub/Sub emulator: dead letters as our handlers
 * forward them (fusion-* attributes) and as Pub/Sub's dead-letter policy moves them (CloudPubSubDeadLetter*
 * attributes) are listed without their payload by --dry-run, then replayed once to their source topic with their
 * original bytes and attributes (minus the rejection attributes, plus fusion-replayed-from) and acknowledged; one
 * that still breaks its topic's schema is left and reported (exit 1), and a second run finds only that one.
 */
import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { collectMessages, emulatorHosts, isolatedProjectId, waitFor } from '../../support/env';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');

async function command(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'ops/replay-dead-letters.ts', ...args], {
      cwd: ROOT,
      env,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

/** A report line of one dead letter (emulator message ids are small numbers: match them whole). */
const lineOf = (id: string) => new RegExp(`^${id}  `, 'm');

const good = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/schemas/messages/alerts.margin.v1/good.json'), 'utf8'),
) as Record<string, unknown>;

describe('npm run replay-dead-letters', () => {
  it('lists without payloads, replays valid dead letters once to their source topic, leaves invalid ones', async () => {
    const projectId = isolatedProjectId('replay-dl');
    const { pubsubHost } = emulatorHosts();
    const pubsub = new PubSub({ projectId });
    let observer: Subscription | undefined;
    try {
      const [dead] = await pubsub.createTopic('dead-letter.v1');
      await dead.createSubscription('dead-letter.v1.inspect');
      const [source] = await pubsub.createTopic('alerts.margin.v1');
      [observer] = await source.createSubscription('observer');

      // Rejected by a handler (forwarded by pubsubHandler with its fusion-* attributes), e.g. before a fix.
      const rejected = Buffer.from(
        JSON.stringify({
          ...good,
          eventId: 'me_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
          portfolioId: 'pii-rejected',
        }),
      );
      const rejectedId = await dead.publishMessage({
        data: rejected,
        attributes: {
          'event-id': 'me_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
          'fusion-rejected-by': 'recordAlerts',
          'fusion-reason': 'no-route',
          'fusion-detail': 'recordAlerts does not consume alerts.margin.v1',
          'fusion-source-topic': 'alerts.margin.v1',
          'fusion-source-message-id': '42',
        },
      });
      // Moved by the subscription's dead-letter policy after its delivery attempts.
      const exhausted = Buffer.from(
        JSON.stringify({
          ...good,
          eventId: 'me_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
          portfolioId: 'pii-exhausted',
        }),
      );
      const exhaustedId = await dead.publishMessage({
        data: exhausted,
        attributes: {
          'event-id': 'me_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
          CloudPubSubDeadLetterSourceSubscription: `projects/${projectId}/subscriptions/record-alerts.margin`,
          CloudPubSubDeadLetterSourceSubscriptionProject: projectId,
          CloudPubSubDeadLetterSourceDeliveryCount: '5',
        },
      });
      // Still invalid: never re-published, never acknowledged.
      const invalidId = await dead.publishMessage({
        data: Buffer.from(JSON.stringify({ ...good, toState: 'BANKRUPT', portfolioId: 'pii-invalid' })),
        attributes: { 'fusion-reason': 'schema-violation', 'fusion-source-topic': 'alerts.margin.v1' },
      });

      const env = { ...process.env, GOOGLE_CLOUD_PROJECT: projectId, PUBSUB_EMULATOR_HOST: pubsubHost };
      const received: Message[] = collectMessages(observer);

      const dry = await command(['--dry-run'], env);
      expect(dry.code).toBe(0);
      expect(dry.out).toMatch(new RegExp(`${rejectedId}  alerts\\.margin\\.v1  no-route  \\d+[smhd]`));
      expect(dry.out).toMatch(
        new RegExp(`${exhaustedId}  alerts\\.margin\\.v1  delivery-attempts-exhausted`),
      );
      expect(dry.out).toMatch(lineOf(invalidId));
      expect(dry.out).toContain(`${invalidId}  alerts.margin.v1  schema-violation`);
      expect(dry.out).toContain('3 dead letter(s) listed; dry run');
      expect(dry.out + dry.err).not.toMatch(/pii-|desk-001|me_a{32}|healthScore/);

      // --reason selects: only the handler's no-route one would be listed.
      const only = await command(['--dry-run', '--reason', 'no-route'], env);
      expect(only.out).toMatch(lineOf(rejectedId));
      expect(only.out).not.toMatch(lineOf(exhaustedId));

      const replay = await command([], env);
      expect(replay.code).toBe(1);
      expect(replay.out).toContain(`${invalidId}  alerts.margin.v1  schema-violation`);
      expect(replay.out).toMatch(/LEFT: still fails messages\/alerts\.margin\.v1: \/toState/);
      expect(replay.out).toContain('2 replayed, 1 left, 0 not selected');
      expect(replay.out).not.toMatch(/pii-/);

      await waitFor(async () => (received.length >= 2 ? true : undefined), 20_000, 'replayed messages');
      await new Promise((r) => setTimeout(r, 1500));
      expect(received).toHaveLength(2);
      const byId = new Map(received.map((m) => [m.attributes[`fusion-replayed-from`], m]));
      expect(byId.get(rejectedId)?.data.equals(rejected)).toBe(true);
      expect(byId.get(rejectedId)?.attributes).toEqual({
        'event-id': 'me_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        'fusion-replayed-from': rejectedId,
      });
      expect(byId.get(exhaustedId)?.data.equals(exhausted)).toBe(true);
      expect(byId.get(exhaustedId)?.attributes).toEqual({
        'event-id': 'me_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
        'fusion-replayed-from': exhaustedId,
      });

      // Acknowledged only what was published: a second run finds only the invalid one.
      const again = await command([], env);
      expect(again.code).toBe(1);
      expect(again.out).toContain('0 replayed, 1 left, 0 not selected');
      await new Promise((r) => setTimeout(r, 1000));
      expect(received).toHaveLength(2);

      expect(await command(['--max', 'many'], env)).toMatchObject({ code: 2 });
      expect(await command(['--topic', 'dead-letter.v1'], env)).toMatchObject({ code: 2 });
    } finally {
      await observer?.close();
      await pubsub.close();
    }
  });
});
