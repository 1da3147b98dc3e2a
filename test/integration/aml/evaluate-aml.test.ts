/**
 * evaluateAml with real adapters: Firestore on the emulator (window and evaluation documents, alerts), DuckDB
 * as the warehouse (compliance.aml_alerts) and a memory bus (alerts.aml.v1). The input is the scenario's
 * transaction stream (structuring, a sanctioned counterparty, a velocity burst, an ordinary customer).
 *
 * What each delivery pattern guarantees:
 * - Redelivery: a transaction is counted once. Delivering every message three times leaves the same window
 *   documents, the same alerts (same ids) and one row and one publish per alert.
 * - Concurrency: eight transactions of one user, each delivered twice, evaluated by four instances at once, leave
 *   eight window entries and exactly the velocity alerts of the sequential run (counts 6..8, each once):
 *   Firestore serialises the transactions on the user's window document, so no count is lost. A delivery
 *   that loses the contention (ABORTED) throws and is delivered again, as Pub/Sub would.
 * - Failure after the evaluation commit: the invocation throws, the evaluation record keeps its alerts, and
 *   the redelivery delivers them (without counting the transaction again).
 * - Through the handler: a real Pub/Sub push CloudEvent is validated; a malformed transaction is dead-lettered.
 * - Event times are bounded: a transaction dated in the future is dead-lettered with its reason and the
 *   operators alerted; it never reaches the user's window, so the real transactions after it still fire.
 */
import { IDEMPOTENCY_RETENTION_MS } from '../../../shared/domain/retention';
import { validate } from '../../../shared/contracts/validation';
import type { WindowEntry } from '../../../shared/domain/aml/window';
import { amlScenarioStream, AML_USERS } from '../../../local-stack/scenarios/aml';
import { AML_COLLECTIONS, type EvaluationDoc } from '../../../shared/use-cases/evaluate-aml';
import { AmlHarness, duplicates, transactionPush } from '../../support/aml-harness';
import { tx } from '../../support/aml-fixtures';
import type { SchemaTypes } from '../../../shared/contracts/schema-types';

const START = new Date('2025-11-10T08:00:00Z');

describe('evaluateAml with Firestore (emulator) and DuckDB', () => {
  const harnesses: AmlHarness[] = [];
  async function harness(label: string): Promise<AmlHarness> {
    const h = await AmlHarness.open(label);
    harnesses.push(h);
    return h;
  }
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  async function windowOf(h: AmlHarness, userId: string): Promise<string[]> {
    const doc = await h.store.get<{ entries: WindowEntry[] }>(AML_COLLECTIONS.windows, userId);
    return (doc?.entries ?? []).map((e) => e.i);
  }

  it('catches structuring, the sanctioned counterparty and the velocity burst, and nothing for the ordinary customer', async () => {
    const h = await harness('aml-stream');
    for (const t of amlScenarioStream(START)) await h.deliver(t);
    const alerts = h.alerts();
    for (const a of alerts) validate('messages/alerts.aml.v1', a);
    const rulesOf = (u: string) => alerts.filter((a) => a.userId === u).map((a) => a.ruleId);
    expect(rulesOf(AML_USERS.structuring)).toEqual(['velocity.amount.24h', 'structuring.24h']);
    expect(rulesOf(AML_USERS.sanctions)).toEqual(['sanctions.ofac-sdn']);
    expect(rulesOf(AML_USERS.velocity)).toEqual(Array(3).fill('velocity.count.1h'));
    expect(rulesOf(AML_USERS.ordinary)).toEqual([]);
    const sanction = alerts.find((a) => a.ruleId === 'sanctions.ofac-sdn');
    expect(sanction).toMatchObject({ severity: 'CRITICAL', recommendedAction: 'BLOCK' });
    expect(sanction?.details).toMatchObject({ match: { entNum: '33562', listedName: 'GARANTEX EUROPE OU' } });
    // Stored three ways under the same ids.
    const rows = await h.rows();
    expect(rows.map((r) => r.alert_id)).toEqual(alerts.map((a) => a.alertId).sort());
    const stored = await h.store.getMany(
      AML_COLLECTIONS.alerts,
      alerts.map((a) => a.alertId),
    );
    expect(stored.size).toBe(alerts.length);
    // Customer-supplied names stay out of the logs.
    expect(h.sink.lines.join('\n')).not.toMatch(/Garantex Europa/i);
  });

  it('redelivery: each transaction three times is counted once, with the same alert ids as a single delivery', async () => {
    const once = await harness('aml-once');
    const thrice = await harness('aml-thrice');
    const stream = amlScenarioStream(START);
    for (const t of stream) await once.deliver(t);
    for (const t of stream) {
      for (let copy = 0; copy < 3; copy++) {
        const outcome = await thrice.deliver(t);
        expect(outcome.evaluated).toBe(copy === 0);
        if (copy > 0) expect(outcome.delivered).toEqual([]);
      }
    }
    const ids = (h: AmlHarness) => h.alerts().map((a) => a.alertId);
    expect(duplicates(ids(thrice))).toEqual([]);
    expect(ids(thrice)).toEqual(ids(once));
    expect((await thrice.rows()).length).toBe(ids(once).length);
    for (const user of Object.values(AML_USERS)) {
      const entries = await windowOf(thrice, user);
      expect(duplicates(entries)).toEqual([]);
      expect(entries).toEqual(await windowOf(once, user));
    }
    expect(await windowOf(thrice, AML_USERS.velocity)).toHaveLength(8);
  });

  it('concurrency: simultaneous invocations for one user lose no count', async () => {
    const h = await harness('aml-concurrent');
    const burst = Array.from({ length: 8 }, (_, i) =>
      tx({
        transactionId: `burst-${i}`,
        userId: 'user-burst',
        amount: '100',
        amountUsd: 100,
        counterparty: { country: 'US' },
        occurredAt: '2025-11-10T09:00:00.000Z',
      }),
    );
    // Every transaction delivered twice (16 deliveries) by four instances working at once, each taking the next
    // delivery as it finishes (production runs one request per instance). A delivery whose Firestore
    // transaction gives up under contention (ABORTED) throws, so Pub/Sub delivers it again: modelled by
    // retrying it. Four, not sixteen, at once: the emulator's pessimistic locks turn a 16-way pile-up on one
    // document into minutes of lock timeouts (production runs OPTIMISTIC concurrency), and four already race.
    const deliverUntilAcked = async (t: (typeof burst)[number]) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await h.deliver(t);
        } catch (err) {
          if (attempt >= 20 || !/ABORTED|contention|lock timeout/i.test(String(err))) throw err;
          // Pub/Sub's redelivery backoff is not lockstep: jitter keeps retries from colliding again together.
          await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 100 * attempt));
        }
      }
    };
    const queue = [...burst, ...burst];
    const outcomes: Awaited<ReturnType<typeof deliverUntilAcked>>[] = [];
    const instance = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) outcomes.push(await deliverUntilAcked(next));
    };
    await Promise.all(Array.from({ length: 4 }, instance));
    expect(outcomes).toHaveLength(16);
    expect(outcomes.filter((o) => o.evaluated)).toHaveLength(8);
    expect((await windowOf(h, 'user-burst')).sort()).toEqual(burst.map((t) => t.transactionId).sort());
    // Serialised evaluations saw 1..8 transactions: the 6th to the 8th fire, each count exactly once.
    const velocity = h.alerts().filter((a) => a.ruleId === 'velocity.count.1h');
    const counts = [...new Set(velocity.map((a) => a.alertId))].map(
      (id) => (velocity.find((a) => a.alertId === id)?.details as { count: number }).count,
    );
    expect(counts.sort((a, b) => a - b)).toEqual([6, 7, 8]);
    expect((await h.rows()).length).toBe(3);
  }, 120_000);

  it('a failed publish is finished by the redelivery, without counting the transaction twice', async () => {
    const h = await harness('aml-failure');
    const [first, second, third] = amlScenarioStream(START);
    await h.deliver(first);
    await h.deliver(second);
    h.bus.failNext = 1;
    await expect(h.deliver(third)).rejects.toThrow(/publish failed/);
    expect(h.alerts()).toEqual([]);
    const pending = await h.store.get<EvaluationDoc>(AML_COLLECTIONS.evaluations, third.transactionId);
    expect(pending).toMatchObject({ delivered: false });
    // The idempotency record carries its Firestore TTL expiry (a Timestamp there): 30 days after evaluation.
    const expiry = pending?.expireAt as { toDate(): Date };
    expect(expiry.toDate().getTime() - h.clock.now().getTime()).toBe(IDEMPOTENCY_RETENTION_MS);
    expect(pending?.alerts.map((a) => a.ruleId)).toEqual(['velocity.amount.24h', 'structuring.24h']);
    const retry = await h.deliver(third);
    expect(retry).toMatchObject({ evaluated: false, delivered: pending?.alerts.map((a) => a.alertId) });
    expect(h.alerts().map((a) => a.alertId)).toEqual(pending?.alerts.map((a) => a.alertId));
    expect((await h.rows()).length).toBe(2);
    expect(await windowOf(h, AML_USERS.structuring)).toHaveLength(3);
    expect(await h.deliver(third)).toMatchObject({ evaluated: false, delivered: [] });
  });

  it('through the handler: a Pub/Sub push is evaluated; a malformed transaction goes to the dead-letter topic', async () => {
    const h = await harness('aml-handler');
    const handler = h.handler();
    const sanctioned = amlScenarioStream(START)[3];
    await handler(transactionPush(sanctioned, h.projectId));
    expect(h.alerts().map((a) => a.ruleId)).toEqual(['sanctions.ofac-sdn']);
    const { amountUsd: _dropped, ...missingUsd } = tx();
    await handler(transactionPush(missingUsd, h.projectId));
    const dead = h.bus.messages.filter((m) => m.topic === 'dead-letter.v1');
    expect(dead).toHaveLength(1);
    expect(dead[0].attributes).toMatchObject({
      'fusion-reason': 'schema-violation',
      'fusion-rejected-by': 'evaluateAml',
      'fusion-source-topic': 'compliance.transactions.v1',
    });
    expect(dead[0].attributes['fusion-detail']).toMatch(/amountUsd/);
  });

  it('through the handler: a transaction dated in the future is dead-lettered, the operators alerted, the window untouched', async () => {
    const h = await harness('aml-future');
    const handler = h.handler();
    const [first, second, third] = amlScenarioStream(START);
    const user = first.userId;
    const future = { ...first, transactionId: 'scn-aml-from-2099', occurredAt: '2099-01-01T00:00:00.000Z' };
    const push = transactionPush(future, h.projectId);
    await handler(push);
    const dead = h.bus.messages.filter((m) => m.topic === 'dead-letter.v1');
    expect(dead.map((d) => d.attributes)).toEqual([
      expect.objectContaining({
        'fusion-reason': 'event-time-in-future',
        'fusion-rejected-by': 'evaluateAml',
        'fusion-source-message-id': push.data?.message?.messageId,
      }),
    ]);
    expect(Buffer.from(dead[0].data as string, 'base64').toString()).toBe(JSON.stringify(future));
    const ops = h.bus.on<SchemaTypes['messages/alerts.operations.v1']>('alerts.operations.v1');
    expect(ops).toEqual([
      expect.objectContaining({ subjectKind: 'user', subjectId: user, eventId: 'scn-aml-from-2099' }),
    ]);
    expect(await windowOf(h, user)).toEqual([]);
    expect(await h.store.get(AML_COLLECTIONS.evaluations, future.transactionId)).toBeUndefined();

    for (const t of [first, second, third]) await handler(transactionPush(t, h.projectId));
    expect(h.alerts().map((a) => a.ruleId)).toEqual(['velocity.amount.24h', 'structuring.24h']);
    expect(await windowOf(h, user)).toEqual([first, second, third].map((t) => t.transactionId));
  });
});
