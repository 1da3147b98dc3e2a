/**
 * Risk-control alerts (alerts.risk.v1) reach the risk desk: fanOutNotifications subscribes to them, normalises
 * them per scope, and a kill-switch change (STOP_CHANGED) is CRITICAL and an escalation, so it is never
 * de-duplicated or rate-limited away, however many follow one another.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { fanOutNotifications as fanOutWiring } from '../../../functions/fan-out-notifications/wiring';
import { validate } from '../../../shared/contracts/validation';
import { normalizeRiskAlert } from '../../../shared/domain/notifications/alerts';
import { audienceOf } from '../../../shared/domain/notifications/recipients';
import { renderEmail, renderSms } from '../../../shared/domain/notifications/templates';
import {
  NOTIFICATION_COLLECTIONS as C,
  OPERATIONS_TEAM,
  RISK_DESK_TEAM,
  type Dispatch,
  type RecipientDoc,
  type RiskAlert,
} from '../../../shared/domain/notifications/types';
import type { MessagePublishedData } from '../../../shared/platform/triggers/pubsub-handler';
import { SUBSCRIPTIONS } from '../../../shared/topology/topology';
import { policyInvalidAlert } from '../../../shared/use-cases/controls/announcements';
import { testPlatform, type TestPlatform } from '../../support/test-platform';
import { loadFixtures } from '../contracts/schema-fixtures';

const halted = loadFixtures('messages/alerts.risk.v1').base as RiskAlert;

describe('normalizeRiskAlert and its audience', () => {
  it('makes a stop change a CRITICAL escalation about its scope, for the risk desk', () => {
    expect(normalizeRiskAlert(halted)).toEqual({
      source: 'alerts.risk.v1',
      alertId: halted.alertId,
      kind: 'risk.STOP_CHANGED',
      subject: 'desk:emea-lending',
      severity: 'CRITICAL',
      level: 2,
      escalation: true,
      alert: halted,
    });
    expect(audienceOf(normalizeRiskAlert(halted))).toEqual({ collection: C.teams, id: RISK_DESK_TEAM });
  });

  it('lets repeated limit alerts be de-duplicated (no escalation)', () => {
    const breach: RiskAlert = { ...halted, kind: 'RISK_LIMIT_BREACHED', severity: 'WARNING' };
    expect(normalizeRiskAlert(breach)).toMatchObject({ escalation: false, severity: 'WARNING', level: 1 });
  });

  it('de-duplicates limit alerts per portfolio and rule: another rule breaking on the portfolio is news', () => {
    const limit = (ruleId: string): RiskAlert => ({
      alertId: 'risk_0123456789abcdef0123456789abcdef',
      kind: 'RISK_LIMIT_BREACHED',
      severity: 'CRITICAL',
      scopeKey: 'portfolio:pf-1',
      portfolioId: 'pf-1',
      policyId: 'default',
      ruleId,
      at: '2020-03-12T14:00:00.000Z',
    });
    const a = normalizeRiskAlert(limit('leverage-cap'));
    expect(a.subject).toBe(normalizeRiskAlert(limit('leverage-cap')).subject);
    expect(a.subject).not.toBe(normalizeRiskAlert(limit('negative-equity')).subject);
    expect(audienceOf(a)).toEqual({ collection: C.teams, id: RISK_DESK_TEAM });
  });

  it('builds POLICY_INVALID from an invalid stored policy: valid, the same id per version, de-duplicable', () => {
    const bad = {
      policyId: 'desk-limits',
      version: 4,
      scopeKey: 'desk:emea',
      problems: ["/rules/1/ruleId 'r' is used by an earlier rule"],
    };
    const at = new Date('2024-08-05T12:00:00Z');
    const alert = policyInvalidAlert(bad, 'desk:emea', at);
    expect(validate('messages/alerts.risk.v1', alert)).toEqual({
      alertId: expect.stringMatching(/^risk_[0-9a-f]{32}$/),
      kind: 'POLICY_INVALID',
      severity: 'CRITICAL',
      scopeKey: 'desk:emea',
      policyId: 'desk-limits',
      policyVersion: 4,
      problems: bad.problems,
      at: '2024-08-05T12:00:00.000Z',
    });
    expect(policyInvalidAlert(bad, 'desk:emea', new Date()).alertId).toBe(alert.alertId);
    expect(policyInvalidAlert({ ...bad, version: 5 }, 'desk:emea', at).alertId).not.toBe(alert.alertId);
    expect(policyInvalidAlert({ ...bad, version: 'five' }, 'desk:emea', at)).not.toHaveProperty(
      'policyVersion',
    );
    expect(normalizeRiskAlert(alert).escalation).toBe(false);
  });

  it('renders who changed which stop and why', () => {
    const dispatch = loadFixtures('messages/notifications.dispatch.v1').good.find(
      (g) => g.file === 'good-risk.json',
    )?.value as Dispatch;
    const email = renderEmail(dispatch);
    expect(email.subject).toBe('[CRITICAL] Kill switch changed (desk:emea-lending)');
    expect(email.text).toContain('Stop: ACTIVE -> HALTED (manual)');
    expect(email.text).toContain('By: risk-operator@desk.example');
    expect(email.text).toContain('Reason: ETH depeg: halt new borrowing on the desk');
    expect(renderSms(dispatch)).toBe(
      'Fusion Risk CONTROLS CRITICAL: STOP_CHANGED desk:emea-lending ACTIVE -> HALTED. Ref risk_3c9a1f0e',
    );
  });
});

describe('fanOutNotifications routes alerts.risk.v1 to the risk desk', () => {
  const PROJECT = 'risk-alert-routing';
  let seq = 0;
  function push(payload: unknown): CloudEvent<MessagePublishedData> {
    const messageId = String(8_500_000 + ++seq);
    return {
      specversion: '1.0',
      id: messageId,
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: `//pubsub.googleapis.com/projects/${PROJECT}/topics/alerts.risk.v1`,
      data: {
        message: { data: Buffer.from(JSON.stringify(payload)).toString('base64'), messageId, attributes: {} },
        subscription: `projects/${PROJECT}/subscriptions/fan-out-notifications.risk`,
      },
    } as CloudEvent<MessagePublishedData>;
  }
  const recipient = (recipientId: string): RecipientDoc => ({
    recipientId,
    displayName: recipientId,
    principal: `${recipientId}@desk.example`,
    contacts: { email: `${recipientId}@desk.example`, phone: '+447700900123' },
    preferences: { channels: ['email', 'sms'], minSeverity: 'CRITICAL', quietHours: null },
  });
  let p: TestPlatform;
  let handler: (ce: CloudEvent<MessagePublishedData>) => Promise<void>;

  beforeEach(async () => {
    p = testPlatform();
    p.clock.set('2024-08-05T12:00:31Z');
    for (const id of ['oncall-ops', 'oncall-risk']) await p.store.set(C.recipients, id, recipient(id));
    await p.store.set(C.teams, OPERATIONS_TEAM, { teamId: OPERATIONS_TEAM, recipientIds: ['oncall-ops'] });
    await p.store.set(C.teams, RISK_DESK_TEAM, { teamId: RISK_DESK_TEAM, recipientIds: ['oncall-risk'] });
    handler = fanOutWiring.serve(async () => p) as (ce: CloudEvent<MessagePublishedData>) => Promise<void>;
  });

  const dispatches = () =>
    p.bus.messages.filter((m) => m.topic === 'notifications.dispatch.v1').map((m) => m.data as Dispatch);

  it('has a push subscription on alerts.risk.v1', () => {
    expect(
      SUBSCRIPTIONS.filter((s) => s.topic === 'alerts.risk.v1' && s.function === 'fanOutNotifications'),
    ).toMatchObject([{ function: 'fanOutNotifications', name: 'fan-out-notifications.risk' }]);
  });

  it('sends a STOP_CHANGED alert to the risk desk on every channel, and never de-duplicates the next one', async () => {
    await handler(push(halted));
    const released: RiskAlert = {
      ...halted,
      alertId: 'risk_4c9a1f0e7b2d4c6a8e0f1a2b3c4d5e6f',
      auditId: 'desk:emea-lending:5',
      transition: 'RELEASED',
      stateBefore: 'HALTED',
      stateAfter: 'ACTIVE',
    };
    await handler(push(released));
    const sent = dispatches();
    expect(sent.map((d) => [d.recipientId, d.channel, d.kind, d.subject, d.severity, d.escalation])).toEqual([
      ['oncall-risk', 'email', 'risk.STOP_CHANGED', 'desk:emea-lending', 'CRITICAL', true],
      ['oncall-risk', 'sms', 'risk.STOP_CHANGED', 'desk:emea-lending', 'CRITICAL', true],
      ['oncall-risk', 'email', 'risk.STOP_CHANGED', 'desk:emea-lending', 'CRITICAL', true],
      ['oncall-risk', 'sms', 'risk.STOP_CHANGED', 'desk:emea-lending', 'CRITICAL', true],
    ]);
    for (const d of sent) validate('messages/notifications.dispatch.v1', d);
    expect(p.bus.messages.filter((m) => m.topic === 'dead-letter.v1')).toEqual([]);
  });
});
