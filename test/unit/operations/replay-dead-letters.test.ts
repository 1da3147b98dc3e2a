/**
 * replay-dead-letters without Pub/Sub: where a dead letter came from, the attributes of its replay, the schema
 * check, and the order of publish and ack (never ack before a publish succeeded; a failed publish leaves it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  originOf,
  parseReplayArgs,
  replayAttributes,
  replayDeadLetters,
  replayProblem,
  type DeadLetter,
  type DeadLetterSource,
} from '../../../ops/replay-dead-letters';

const good = readFileSync(join(__dirname, '../../fixtures/schemas/messages/alerts.margin.v1/good.json'));

function fakeSource(letters: DeadLetter[], failPublish = false) {
  const calls: string[] = [];
  let pulled = false;
  const source: DeadLetterSource = {
    pull: async () => {
      const out = pulled ? [] : letters;
      pulled = true;
      return out;
    },
    ack: async (ids) => void calls.push(`ack ${ids.join(',')}`),
    release: async (ids) => void calls.push(`release ${ids.join(',')}`),
    publish: async (topic, _data, attributes) => {
      calls.push(`publish ${topic} ${attributes['fusion-replayed-from']}`);
      if (failPublish) throw new Error('PERMISSION_DENIED');
      return 'new-id';
    },
  };
  return { source, calls };
}

const letter = (id: string, data: Buffer, attributes: Record<string, string>): DeadLetter => ({
  ackId: `ack-${id}`,
  messageId: id,
  data,
  attributes,
  publishTime: new Date('2026-12-04T10:00:00Z'),
});

describe('replay-dead-letters', () => {
  it('finds the source topic from our attributes or from Pub/Sub dead-letter attributes via the topology', () => {
    expect(originOf({ 'fusion-source-topic': 'alerts.aml.v1', 'fusion-reason': 'malformed-json' })).toEqual({
      topic: 'alerts.aml.v1',
      reason: 'malformed-json',
    });
    expect(
      originOf({
        CloudPubSubDeadLetterSourceSubscription: 'projects/p/subscriptions/evaluate-aml.transactions',
      }),
    ).toEqual({ topic: 'compliance.transactions.v1', reason: 'delivery-attempts-exhausted' });
    expect(originOf({})).toEqual({ reason: 'unknown' });
  });

  it('drops the rejection attributes, keeps the original ones, marks the replay', () => {
    expect(
      replayAttributes(
        {
          'event-id': 'e1',
          'fusion-reason': 'x',
          'fusion-detail': 'y',
          'fusion-source-topic': 't',
          'fusion-replayed-from': 'older',
          CloudPubSubDeadLetterSourceDeliveryCount: '5',
        },
        'dl-7',
      ),
    ).toEqual({ 'event-id': 'e1', 'fusion-replayed-from': 'dl-7' });
  });

  it('validates against the source topic schema', () => {
    expect(replayProblem('alerts.margin.v1', good)).toBeUndefined();
    expect(replayProblem('alerts.margin.v1', Buffer.from('{'))).toBe('payload is not JSON');
    expect(replayProblem('dead-letter.v1', good)).toMatch(/no schema/);
    expect(replayProblem(undefined, good)).toMatch(/unknown/);
    expect(replayProblem('alerts.margin.v1', Buffer.from('{"eventId":"x"}'))).toMatch(/still fails/);
  });

  it('publishes before it acknowledges, and leaves a message whose publish failed', async () => {
    const ok = fakeSource([
      letter('1', good, { 'fusion-source-topic': 'alerts.margin.v1', 'fusion-reason': 'r' }),
    ]);
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    expect(await replayDeadLetters(parseReplayArgs([]) as never, ok.source, io)).toBe(0);
    expect(ok.calls).toEqual(['publish alerts.margin.v1 1', 'ack ack-1']);

    const failing = fakeSource(
      [letter('2', good, { 'fusion-source-topic': 'alerts.margin.v1', 'fusion-reason': 'r' })],
      true,
    );
    expect(await replayDeadLetters(parseReplayArgs([]) as never, failing.source, io)).toBe(1);
    expect(failing.calls).toEqual(['publish alerts.margin.v1 2', 'release ack-2']);
    expect(out.at(-1)).toBe('0 replayed, 1 left, 0 not selected');
  });

  it('dry run and filters neither publish nor acknowledge; output has no payload', async () => {
    const f = fakeSource([
      letter('1', good, { 'fusion-source-topic': 'alerts.margin.v1', 'fusion-reason': 'no-route' }),
      letter('2', good, { 'fusion-source-topic': 'alerts.aml.v1', 'fusion-reason': 'no-route' }),
    ]);
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    const args = parseReplayArgs(['--dry-run', '--topic', 'alerts.margin.v1']);
    expect(await replayDeadLetters(args as never, f.source, io, () => new Date('2026-12-04T12:00:00Z'))).toBe(
      0,
    );
    expect(out).toEqual([
      '1  alerts.margin.v1  no-route  2h',
      '1 dead letter(s) listed; dry run: nothing published or acknowledged (1 not selected)',
    ]);
    expect(f.calls).toEqual(['release ack-1,ack-2']);
    expect(parseReplayArgs(['--max', '0'])).toMatch(/positive/);
    expect(parseReplayArgs(['--topic', 'nope'])).toMatch(/not a topic/);
  });
});
