/**
 * Operations alerts (alerts.operations.v1, e.g. an event refused because it was dated in the future) reach the
 * operations team: fanOutNotifications subscribes to them, normalises them (subject = source topic, so a wrong
 * upstream clock pages once per window rather than once per refused event) and renders their own templates.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { MessagePublishedData } from '../../../shared/platform/triggers/pubsub-handler';
import { fanOutNotifications as fanOutWiring } from '../../../functions/fan-out-notifications/wiring';
import { validate } from '../../../shared/contracts/validation';
import { normalizeOperationsAlert } from '../../../shared/domain/notifications/alerts';
import { audienceOf } from '../../../shared/domain/notifications/recipients';
import { renderEmail, renderSms, renderWebhook } from '../../../shared/domain/notifications/templates';
import {
  COMPLIANCE_TEAM,
  NOTIFICATION_COLLECTIONS as C,
  OPERATIONS_TEAM,
  RISK_DESK_TEAM,
  type Dispatch,
  type OperationsAlert,
  type RecipientDoc,
} from '../../../shared/domain/notifications/types';
import { SUBSCRIPTIONS } from '../../../shared/topology/topology';
import { loadFixtures } from '../contracts/schema-fixtures';
import { testPlatform, type TestPlatform } from '../../support/test-platform';

const fixtures = loadFixtures('messages/alerts.operations.v1');
const refused = fixtures.base as OperationsAlert;
const refusedPosition = fixtures.good.find((g) => g.file === 'good-position.json')?.value as OperationsAlert;

describe('normalizeOperationsAlert and its audience', () => {
  it('is a warning about the source topic, for the operations team only', () => {
    expect(normalizeOperationsAlert(refused)).toEqual({
      source: 'alerts.operations.v1',
      alertId: refused.alertId,
      kind: 'operations.EVENT_TIME_IN_FUTURE',
      subject: 'compliance.transactions.v1',
      severity: 'WARNING',
      level: 1,
      escalation: false,
      alert: refused,
    });
    expect(audienceOf(normalizeOperationsAlert(refused))).toEqual({
      collection: C.teams,
      id: OPERATIONS_TEAM,
    });
    expect(OPERATIONS_TEAM).not.toBe(RISK_DESK_TEAM);
    expect(OPERATIONS_TEAM).not.toBe(COMPLIANCE_TEAM);
  });
});

describe('operations alert templates', () => {
  const dispatch = loadFixtures('messages/notifications.dispatch.v1').good.find(
    (g) => g.file === 'good-operations.json',
  )?.value as Dispatch;

  it('names the source, the subject id, the refused time and the dead letter, in every channel', () => {
    const email = renderEmail(dispatch);
    expect(email.subject).toBe(
      '[WARNING] Operations: event dated in the future refused (compliance.transactions.v1)',
    );
    expect(email.text).toContain('Source: compliance.transactions.v1; user desk-client-dmitri');
    expect(email.text).toContain('occurredAt 2099-01-01T00:00:00Z, received 2024-08-05T12:00:30Z');
    expect(email.text).toContain('(message 900017)');
    expect(renderSms(dispatch)).toBe(
      'Fusion Risk OPS WARNING: EVENT_TIME_IN_FUTURE on compliance.transactions.v1, user desk-client-dmitri. Ref ops_5b1e0c9d',
    );
    const hook = JSON.parse(renderWebhook(dispatch)) as { type: string; data: { text: string } };
    expect(hook.type).toBe('alert.operations.EVENT_TIME_IN_FUTURE');
  });
});

describe('fanOutNotifications routes alerts.operations.v1 to the operations team', () => {
  const PROJECT = 'operations-alert-routing';
  let seq = 0;
  function push(payload: unknown): CloudEvent<MessagePublishedData> {
    const messageId = String(7_500_000 + ++seq);
    return {
      specversion: '1.0',
      id: messageId,
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: `//pubsub.googleapis.com/projects/${PROJECT}/topics/alerts.operations.v1`,
      data: {
        message: { data: Buffer.from(JSON.stringify(payload)).toString('base64'), messageId, attributes: {} },
        subscription: `projects/${PROJECT}/subscriptions/fan-out-notifications.operations`,
      },
    } as CloudEvent<MessagePublishedData>;
  }
  const recipient = (recipientId: string): RecipientDoc => ({
    recipientId,
    displayName: recipientId,
    principal: `${recipientId}@desk.example`,
    contacts: { email: `${recipientId}@desk.example` },
    preferences: { channels: ['email'], minSeverity: 'WARNING', quietHours: null },
  });
  let p: TestPlatform;
  let handler: (ce: CloudEvent<MessagePublishedData>) => Promise<void>;

  beforeEach(async () => {
    p = testPlatform();
    p.clock.set('2024-08-05T12:00:31Z');
    for (const id of ['oncall-ops', 'oncall-risk', 'owner'])
      await p.store.set(C.recipients, id, recipient(id));
    await p.store.set(C.teams, OPERATIONS_TEAM, { teamId: OPERATIONS_TEAM, recipientIds: ['oncall-ops'] });
    await p.store.set(C.teams, RISK_DESK_TEAM, { teamId: RISK_DESK_TEAM, recipientIds: ['oncall-risk'] });
    await p.store.set(C.portfolioOwners, 'desk-001', { portfolioId: 'desk-001', recipientIds: ['owner'] });
    handler = fanOutWiring.serve(async () => p) as (ce: CloudEvent<MessagePublishedData>) => Promise<void>;
  });

  const dispatches = () =>
    p.bus.messages.filter((m) => m.topic === 'notifications.dispatch.v1').map((m) => m.data as Dispatch);

  it('has a push subscription on alerts.operations.v1', () => {
    expect(
      SUBSCRIPTIONS.filter((s) => s.topic === 'alerts.operations.v1' && s.function === 'fanOutNotifications'),
    ).toMatchObject([{ function: 'fanOutNotifications', name: 'fan-out-notifications.operations' }]);
  });

  it('sends a refused position update to the operations team, not to the portfolio owners', async () => {
    await handler(push(refusedPosition));
    const sent = dispatches();
    expect(sent.map((d) => [d.recipientId, d.channel, d.kind, d.subject])).toEqual([
      ['oncall-ops', 'email', 'operations.EVENT_TIME_IN_FUTURE', 'portfolio.positions.v1'],
    ]);
    for (const d of sent) validate('messages/notifications.dispatch.v1', d);
    expect(p.bus.messages.filter((m) => m.topic === 'dead-letter.v1')).toEqual([]);
  });

  it('pages once per topic and window when a wrong clock refuses many events', async () => {
    await handler(push(refusedPosition));
    await handler(
      push({ ...refusedPosition, alertId: 'ops_1f1e2d3c4b5a69788796a5b4c3d2e1f0', subjectId: 'desk-002' }),
    );
    expect(dispatches()).toHaveLength(1);
  });
});
