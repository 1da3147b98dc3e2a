/**
 * Compliance-case service-level alerts (alerts.cases.v1) reach the compliance team and the alert feed:
 * fanOutNotifications normalises them per case, a repeated at-risk warning for one case is de-duplicated but
 * the breach that follows is an escalation and always sent; recordAlerts puts them in the feed, where, like AML
 * and operations alerts, they belong to no desk and only a reader of every desk sees them. Ids only: no text
 * names the customer.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { fanOutNotifications as fanOutWiring } from '../../../functions/fan-out-notifications/wiring';
import { recordAlerts as recordAlertsWiring } from '../../../functions/record-alerts/wiring';
import { validate } from '../../../shared/contracts/validation';
import { DEFAULT_SHOCK } from '../../../shared/domain/risk/shock';
import { normalizeCaseAlert } from '../../../shared/domain/notifications/alerts';
import { audienceOf } from '../../../shared/domain/notifications/recipients';
import { renderEmail, renderSms, renderWebhook } from '../../../shared/domain/notifications/templates';
import {
  COMPLIANCE_TEAM,
  NOTIFICATION_COLLECTIONS as C,
  OPERATIONS_TEAM,
  RISK_DESK_TEAM,
  type CaseAlert,
  type Dispatch,
  type RecipientDoc,
} from '../../../shared/domain/notifications/types';
import type { Principal } from '../../../shared/ports/caller-identity';
import type { MessagePublishedData } from '../../../shared/platform/triggers/pubsub-handler';
import { SUBSCRIPTIONS } from '../../../shared/topology/topology';
import { readAlertFeed } from '../../../shared/use-cases/alert-feed';
import { listAlerts, type RiskApiDeps } from '../../../shared/use-cases/risk-api';
import { testPlatform, type TestPlatform } from '../../support/test-platform';

const CASE_ID = 'cs_5b1e0c9d7a3f4e2b8c6d0a1f2e3d4c5b';
const CUSTOMER = 'usr_7f3c2a91';
const atRisk: CaseAlert = {
  alertId: 'cas_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  kind: 'SLA_AT_RISK',
  severity: 'WARNING',
  caseId: CASE_ID,
  subjectId: CUSTOMER,
  caseSeverity: 'CRITICAL',
  caseState: 'pending_second_approval',
  assignee: null,
  openedAt: '2024-08-01T09:00:00.000Z',
  dueAt: '2024-08-05T13:00:00.000Z',
  detectedAt: '2024-08-05T12:00:00.000Z',
};
const breached: CaseAlert = {
  ...atRisk,
  alertId: 'cas_1a1b2c3d4e5f60718293a4b5c6d7e8f9',
  kind: 'SLA_BREACHED',
  severity: 'CRITICAL',
  assignee: 'officer@compliance.example',
  detectedAt: '2024-08-05T13:00:30.000Z',
};

function dispatchOf(a: CaseAlert): Dispatch {
  const n = normalizeCaseAlert(a);
  return validate('messages/notifications.dispatch.v1', {
    dispatchId: 'nd_0123456789abcdef0123456789abcdef',
    alertId: n.alertId,
    source: n.source,
    kind: n.kind,
    subject: n.subject,
    severity: n.severity,
    escalation: n.escalation,
    recipientId: 'officer-1',
    channel: 'email',
    alert: a,
    createdAt: '2024-08-05T13:00:31.000Z',
  });
}

describe('normalizeCaseAlert, its audience and its templates', () => {
  it('is about the case, for the compliance team: at risk level 1, a breach level 2 and an escalation', () => {
    expect(normalizeCaseAlert(atRisk)).toEqual({
      source: 'alerts.cases.v1',
      alertId: atRisk.alertId,
      kind: 'cases.SLA_AT_RISK',
      subject: CASE_ID,
      severity: 'WARNING',
      level: 1,
      escalation: false,
      alert: atRisk,
    });
    expect(normalizeCaseAlert(breached)).toMatchObject({
      kind: 'cases.SLA_BREACHED',
      subject: CASE_ID,
      severity: 'CRITICAL',
      level: 2,
      escalation: true,
    });
    // Another case of the same customer is another subject: de-duplication is per case, never per customer.
    const other = { ...atRisk, caseId: 'cs_ffffffffffffffffffffffffffffffff' };
    expect(normalizeCaseAlert(other).subject).not.toBe(normalizeCaseAlert(atRisk).subject);
    expect(audienceOf(normalizeCaseAlert(atRisk))).toEqual({ collection: C.teams, id: COMPLIANCE_TEAM });
    expect(audienceOf(normalizeCaseAlert(breached))).toEqual({ collection: C.teams, id: COMPLIANCE_TEAM });
  });

  it('renders the case, its severity, state, assignee and times, and never the customer', () => {
    const email = renderEmail(dispatchOf(breached));
    expect(email.subject).toBe(`[CRITICAL] Compliance case ${CASE_ID} breached its service level`);
    expect(email.text).toContain(`Case: ${CASE_ID}`);
    expect(email.text).toContain('Case severity: CRITICAL; state: pending second approval');
    expect(email.text).toContain('Assignee: officer@compliance.example');
    expect(email.text).toContain('Opened: 2024-08-01T09:00:00.000Z; due: 2024-08-05T13:00:00.000Z');
    expect(email.html).toContain(CASE_ID);

    const warning = renderEmail(dispatchOf(atRisk));
    expect(warning.subject).toBe(
      `[WARNING] Compliance case ${CASE_ID} is at risk of missing its service level`,
    );
    expect(warning.text).toContain('Assignee: unassigned');

    const sms = renderSms(dispatchOf(atRisk));
    expect(sms).toBe(
      `Fusion Risk CASES WARNING: SLA_AT_RISK ${CASE_ID}, due 2024-08-05T13:00:00.000Z, unassigned. Ref cas_0a1b2c3d`,
    );
    const webhook = JSON.parse(renderWebhook(dispatchOf(breached))) as {
      type: string;
      data: { text: string };
    };
    expect(webhook.type).toBe('alert.cases.SLA_BREACHED');
    expect(webhook.data.text).toContain(CASE_ID);
    for (const text of [email.subject, email.text, email.html, warning.text, sms, webhook.data.text])
      expect(text).not.toContain(CUSTOMER);
  });
});

describe('fanOutNotifications routes alerts.cases.v1 to the compliance team', () => {
  const PROJECT = 'case-alert-routing';
  let seq = 0;
  function push(payload: unknown, topic = 'alerts.cases.v1', subscription = 'fan-out-notifications.cases') {
    const messageId = String(8_600_000 + ++seq);
    return {
      specversion: '1.0',
      id: messageId,
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: `//pubsub.googleapis.com/projects/${PROJECT}/topics/${topic}`,
      data: {
        message: { data: Buffer.from(JSON.stringify(payload)).toString('base64'), messageId, attributes: {} },
        subscription: `projects/${PROJECT}/subscriptions/${subscription}`,
      },
    } as CloudEvent<MessagePublishedData>;
  }
  const recipient = (recipientId: string): RecipientDoc => ({
    recipientId,
    displayName: recipientId,
    principal: `${recipientId}@compliance.example`,
    contacts: { email: `${recipientId}@compliance.example`, phone: '+447700900123' },
    preferences: { channels: ['email', 'sms'], minSeverity: 'INFO', quietHours: null },
  });
  let p: TestPlatform;
  let handler: (ce: CloudEvent<MessagePublishedData>) => Promise<void>;

  beforeEach(async () => {
    p = testPlatform();
    p.clock.set('2024-08-05T12:00:31Z');
    for (const id of ['officer-1', 'oncall-risk', 'oncall-ops'])
      await p.store.set(C.recipients, id, recipient(id));
    await p.store.set(C.teams, COMPLIANCE_TEAM, { teamId: COMPLIANCE_TEAM, recipientIds: ['officer-1'] });
    await p.store.set(C.teams, RISK_DESK_TEAM, { teamId: RISK_DESK_TEAM, recipientIds: ['oncall-risk'] });
    await p.store.set(C.teams, OPERATIONS_TEAM, { teamId: OPERATIONS_TEAM, recipientIds: ['oncall-ops'] });
    handler = fanOutWiring.serve(async () => p) as (ce: CloudEvent<MessagePublishedData>) => Promise<void>;
  });

  const dispatches = () =>
    p.bus.messages.filter((m) => m.topic === 'notifications.dispatch.v1').map((m) => m.data as Dispatch);

  it('has push subscriptions on alerts.cases.v1 for the fan-out and the feed', () => {
    expect(
      SUBSCRIPTIONS.filter((s) => s.topic === 'alerts.cases.v1').map((s) => [s.function, s.name]),
    ).toEqual(
      expect.arrayContaining([
        ['fanOutNotifications', 'fan-out-notifications.cases'],
        ['recordAlerts', 'record-alerts.cases'],
      ]),
    );
  });

  it('suppresses a repeated at-risk warning for the case within the window, never the breach after it', async () => {
    await handler(push(atRisk));
    p.clock.set('2024-08-05T12:01:31Z');
    // The next run finds the case still at risk under another deadline: a different alert, the same case.
    await handler(push({ ...atRisk, alertId: 'cas_2a1b2c3d4e5f60718293a4b5c6d7e8f9' }));
    p.clock.set('2024-08-05T12:02:31Z');
    await handler(push(breached));
    const sent = dispatches();
    expect(sent.map((d) => [d.recipientId, d.channel, d.alertId, d.kind, d.subject, d.escalation])).toEqual([
      ['officer-1', 'email', atRisk.alertId, 'cases.SLA_AT_RISK', CASE_ID, false],
      ['officer-1', 'sms', atRisk.alertId, 'cases.SLA_AT_RISK', CASE_ID, false],
      ['officer-1', 'email', breached.alertId, 'cases.SLA_BREACHED', CASE_ID, true],
      ['officer-1', 'sms', breached.alertId, 'cases.SLA_BREACHED', CASE_ID, true],
    ]);
    for (const d of sent) validate('messages/notifications.dispatch.v1', d);
    expect(p.bus.messages.filter((m) => m.topic === 'dead-letter.v1')).toEqual([]);
  });

  it('lets an at-risk warning for another case through', async () => {
    await handler(push(atRisk));
    const other = {
      ...atRisk,
      alertId: 'cas_3a1b2c3d4e5f60718293a4b5c6d7e8f9',
      caseId: 'cs_ffffffffffffffffffffffffffffffff',
    };
    await handler(push(other));
    expect(dispatches().map((d) => [d.alertId, d.subject])).toEqual([
      [atRisk.alertId, CASE_ID],
      [atRisk.alertId, CASE_ID],
      [other.alertId, other.caseId],
      [other.alertId, other.caseId],
    ]);
  });

  it('sends a case alert to the compliance team only, and dead-letters one that breaks the schema', async () => {
    await handler(push(breached));
    expect([...new Set(dispatches().map((d) => d.recipientId))]).toEqual(['officer-1']);
    await handler(
      push({ ...breached, alertId: 'cas_4a1b2c3d4e5f60718293a4b5c6d7e8f9', customerName: 'Jane Doe' }),
    );
    expect(dispatches()).toHaveLength(2);
    expect(p.bus.messages.filter((m) => m.topic === 'dead-letter.v1')).toHaveLength(1);
  });
});

describe('recordAlerts puts case alerts in the feed, for readers of every desk only', () => {
  const PROJECT = 'case-alert-feed';
  const push = (payload: unknown): CloudEvent<MessagePublishedData> =>
    ({
      specversion: '1.0',
      id: '8700001',
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: `//pubsub.googleapis.com/projects/${PROJECT}/topics/alerts.cases.v1`,
      data: {
        message: { data: Buffer.from(JSON.stringify(payload)).toString('base64'), messageId: '8700001' },
        subscription: `projects/${PROJECT}/subscriptions/record-alerts.cases`,
      },
    }) as CloudEvent<MessagePublishedData>;

  const ALL: Principal = { id: 'head-of-compliance@desk.example' };
  const ONE_DESK: Principal = { id: 'desk-lead@desk.example' };

  it('records the alert once, about the case, in no desk; lists it to a * caller and not to a one-desk caller', async () => {
    const p = testPlatform();
    p.clock.set(new Date());
    const handler = recordAlertsWiring.serve(async () => p) as (
      ce: CloudEvent<MessagePublishedData>,
    ) => Promise<void>;
    await handler(push(breached));
    await handler(push(breached));
    expect(p.bus.messages.filter((m) => m.topic === 'dead-letter.v1')).toEqual([]);

    const { entries } = await readAlertFeed({ store: p.store, clock: p.clock, settleMs: 0 }, null, 10);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      alertId: breached.alertId,
      source: 'alerts.cases.v1',
      kind: 'cases.SLA_BREACHED',
      severity: 'CRITICAL',
      subject: CASE_ID,
      deskId: null,
      portfolioId: null,
      alert: breached,
    });

    const deps: RiskApiDeps = {
      store: p.store,
      warehouse: p.warehouse,
      clock: p.clock,
      logger: p.logger('riskApi'),
      access: {
        readsAll: (who) => who.id === ALL.id,
        canRead: (who, deskId) => who.id === ALL.id || deskId === 'emea-lending',
      },
      shock: DEFAULT_SHOCK,
      settleMs: 0,
    };
    for (const latest of [{}, { latest: 'true' }]) {
      const all = await listAlerts(deps, ALL, latest);
      if (all.kind !== 'ok') throw new Error(`refused: ${JSON.stringify(all.body)}`);
      expect(validate('api/alert-page', all.body).alerts).toEqual([
        expect.objectContaining({ source: 'alerts.cases.v1', alertId: breached.alertId, subject: CASE_ID }),
      ]);
      const desk = await listAlerts(deps, ONE_DESK, latest);
      if (desk.kind !== 'ok') throw new Error(`refused: ${JSON.stringify(desk.body)}`);
      expect(desk.body.alerts).toEqual([]);
    }
  });
});
