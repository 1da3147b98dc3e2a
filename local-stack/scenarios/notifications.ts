/**
 * The notifications part of the bundled scenario. prepare() seeds who owns the demo portfolios and who is
 * on the compliance team, with their channels (e-mail, SMS, signed webhooks) and preferences (severity
 * floors, quiet hours in London that critical alerts bypass, one co-owner whose phone number Twilio
 * rejects). The margin replay then flows into notifications by itself. play() makes sure AML alerts flow
 * too (standing in for evaluateAml with schema-valid fixtures if it published none) and shows the
 * de-duplication: a redelivered alert and a second alert of the same kind a moment later send nothing new.
 * report() lists what each recipient received at the local SendGrid, Twilio and webhook servers.
 */
import type { Message, Subscription } from '@google-cloud/pubsub';
import amlFixtures from '../../test/fixtures/notifications/aml-alerts.json';
import {
  COMPLIANCE_TEAM,
  NOTIFICATION_COLLECTIONS as C,
  type AmlAlert,
  type RecipientDoc,
} from '../../shared/domain/notifications/types';
import type { ManualClock } from '../../shared/platform/clocks';
import { DEMO_PORTFOLIOS } from '../scenario';
import type { LocalStack } from '../stack';
import type { AmlAlertV1, MarginAlertV1 } from '../../shared/contracts/schema-types';
import type { ScenarioPart } from './types';

interface Seed {
  recipientId: string;
  displayName: string;
  principal: string;
  contacts: { email?: string; phone?: string; webhookEndpoint?: string };
  preferences: RecipientDoc['preferences'];
  portfolios: string[];
}

const PORTFOLIOS = DEMO_PORTFOLIOS.map((p) => p.portfolioId);
const byPrefix = (prefix: string) => PORTFOLIOS.filter((p) => p.startsWith(prefix));

const SEEDS: Seed[] = [
  {
    recipientId: 'alice-btc-desk',
    displayName: 'Alice (BTC desk)',
    principal: 'alice@btc-desk.example',
    contacts: { email: 'alice@btc-desk.example', phone: '+447700900101' },
    preferences: {
      channels: ['email', 'sms'],
      minSeverity: 'WARNING',
      // 23:59 UTC is 23:59 in London in March: warnings reach her inbox, not her phone.
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/London', channels: ['sms'] },
    },
    portfolios: [...byPrefix('desk-btc-'), 'desk-short-btc'],
  },
  {
    recipientId: 'bob-eth-desk',
    displayName: 'Bob (ETH desk)',
    principal: 'bob@eth-desk.example',
    contacts: { email: 'bob@eth-desk.example', webhookEndpoint: 'eth-desk-risk-bot' },
    preferences: { channels: ['email', 'webhook'], minSeverity: 'INFO', quietHours: null },
    portfolios: byPrefix('desk-eth-'),
  },
  {
    recipientId: 'carol-multi-desk',
    displayName: 'Carol (multi-asset desk)',
    principal: 'carol@multi-desk.example',
    contacts: { phone: '+447700900303', webhookEndpoint: 'multi-desk-ops' },
    preferences: { channels: ['sms', 'webhook'], minSeverity: 'CRITICAL', quietHours: null },
    portfolios: ['desk-multi-asset'],
  },
  {
    // Twilio's magic "invalid number": every SMS to her fails permanently, and must not hold up others.
    recipientId: 'dan-desk-head',
    displayName: 'Dan (head of desks, wrong number on file)',
    principal: 'dan@desks.example',
    contacts: { phone: '+15005550001' },
    preferences: { channels: ['sms'], minSeverity: 'CRITICAL', quietHours: null },
    portfolios: ['desk-btc-levered', 'desk-eth-levered'],
  },
  {
    recipientId: 'compliance-oncall',
    displayName: 'Compliance on call',
    principal: 'oncall@compliance.example',
    contacts: { email: 'oncall@compliance.example', phone: '+447700900505', webhookEndpoint: 'case-manager' },
    preferences: {
      channels: ['email', 'sms', 'webhook'],
      minSeverity: 'WARNING',
      quietHours: { start: '20:00', end: '08:00', timeZone: 'Europe/London' },
    },
    portfolios: [],
  },
  {
    recipientId: 'compliance-analyst',
    displayName: 'Compliance analyst',
    principal: 'analyst@compliance.example',
    contacts: { email: 'analyst@compliance.example' },
    preferences: { channels: ['email'], minSeverity: 'INFO', quietHours: null },
    portfolios: [],
  },
];

const COMPLIANCE = ['compliance-oncall', 'compliance-analyst'];
const AML_WATCH = 'scenario-notifications-aml';
const MARGIN_WATCH = 'scenario-notifications-margin';

let amlSeen: Message[] = [];
let marginSeen: Message[] = [];
let watching: Subscription[] = [];
let demoAml = 0;
let redelivered = { alerts: 0, newProviderCalls: 0 };
const whoIs = new Map<string, string>(); // contact or endpoint → recipient id

async function prepare(stack: LocalStack): Promise<void> {
  const n = stack.areas.notifications;
  const owners = new Map<string, string[]>();
  for (const s of SEEDS) {
    const { webhookEndpoint, ...contacts } = s.contacts;
    const webhook = webhookEndpoint ? n.registerWebhookEndpoint(webhookEndpoint) : undefined;
    if (webhookEndpoint) whoIs.set(webhookEndpoint, s.recipientId);
    if (contacts.email) whoIs.set(contacts.email, s.recipientId);
    if (contacts.phone) whoIs.set(contacts.phone, s.recipientId);
    const doc: RecipientDoc = {
      recipientId: s.recipientId,
      displayName: s.displayName,
      principal: s.principal,
      contacts: { ...contacts, ...(webhook ? { webhook } : {}) },
      preferences: s.preferences,
    };
    await stack.store.set(C.recipients, s.recipientId, doc);
    for (const p of s.portfolios) owners.set(p, [...(owners.get(p) ?? []), s.recipientId]);
  }
  for (const [portfolioId, recipientIds] of owners)
    await stack.store.set(C.portfolioOwners, portfolioId, { portfolioId, recipientIds });
  await stack.store.set(C.teams, COMPLIANCE_TEAM, { teamId: COMPLIANCE_TEAM, recipientIds: COMPLIANCE });
  // Keeps the alerts published during the replay and the AML part (counted, and some replayed later).
  amlSeen = [];
  marginSeen = [];
  const [aml] = await stack.pubsub.topic('alerts.aml.v1').createSubscription(AML_WATCH);
  const [margin] = await stack.pubsub.topic('alerts.margin.v1').createSubscription(MARGIN_WATCH);
  watching = [aml, margin];
  const keep = (into: Message[]) => (m: Message) => {
    into.push(m);
    m.ack();
  };
  aml.on('message', keep(amlSeen));
  margin.on('message', keep(marginSeen));
}

const providerCalls = (stack: LocalStack) => {
  const n = stack.areas.notifications;
  return n.sendgrid.requests + n.twilio.requests + n.webhooks.received.length + n.webhooks.duplicates;
};

async function play(stack: LocalStack, clock: ManualClock): Promise<void> {
  await stack.settle(1000);
  if (amlSeen.length === 0) {
    // evaluateAml published nothing (not wired in this build): stand in with schema-valid alerts.
    const alerts = amlFixtures as AmlAlert[];
    clock.set('2020-03-20T23:59:30Z');
    for (const a of alerts) {
      await stack.bus.publish('alerts.aml.v1', a, { attributes: { alertId: a.alertId } });
      demoAml++;
    }
    // A redelivery of the first alert: the same dispatch ids, nothing new sent.
    await stack.bus.publish('alerts.aml.v1', alerts[0], { attributes: { alertId: alerts[0].alertId } });
    await stack.settle(1000);
  }
  // Pub/Sub redelivers: the same alerts again, a little later. Same dispatch ids, so no provider is called.
  const body = (m: Message) => JSON.parse(m.data.toString('utf8')) as unknown;
  const margin = marginSeen.slice(0, 3);
  const aml = amlSeen.slice(0, 2);
  const before = providerCalls(stack);
  clock.advance(60_000);
  for (const m of margin) await stack.bus.publish('alerts.margin.v1', body(m) as MarginAlertV1);
  for (const m of aml) await stack.bus.publish('alerts.aml.v1', body(m) as AmlAlertV1);
  await stack.settle(1000);
  redelivered = { alerts: margin.length + aml.length, newProviderCalls: providerCalls(stack) - before };
  for (const sub of watching) await sub.close();
}

interface Counts {
  email: string[];
  sms: string[];
  webhook: string[];
}

async function report(stack: LocalStack): Promise<{ lines: string[]; ok: boolean }> {
  const n = stack.areas.notifications;
  const got = new Map<string, Counts>(SEEDS.map((s) => [s.recipientId, { email: [], sms: [], webhook: [] }]));
  const at = (key: string) => got.get(whoIs.get(key) ?? '');
  for (const e of n.sendgrid.emails) for (const to of e.to) at(to)?.email.push(e.subject);
  for (const m of n.twilio.messages) at(m.to)?.sms.push(m.body);
  for (const w of n.webhooks.received) at(w.endpoint)?.webhook.push((w.body as { type: string }).type);
  const lines: string[] = [];
  for (const s of SEEDS) {
    const c = got.get(s.recipientId) as Counts;
    lines.push(
      `  ${s.displayName.padEnd(42)} ${c.email.length} e-mail, ${c.sms.length} SMS, ${c.webhook.length} webhook(s)`,
    );
    const kinds = [...new Set([...c.email.map((x) => x.replace(/ \(.*$/, '')), ...c.webhook])].slice(0, 4);
    if (kinds.length) lines.push(`    e.g. ${kinds.join(' | ')}`);
  }
  const rates = await stack.warehouse.query<{
    channel: string;
    dispatches: number;
    delivered: number;
    failed: number;
  }>(
    `SELECT channel, COUNT(DISTINCT dispatch_id) AS dispatches,
            COUNT(DISTINCT CASE WHEN outcome = 'delivered' THEN dispatch_id END) AS delivered,
            COUNT(DISTINCT CASE WHEN outcome = 'permanent_failure' THEN dispatch_id END) AS failed
       FROM notifications.deliveries GROUP BY channel ORDER BY channel`,
  );
  for (const r of rates)
    lines.push(
      `  notifications.deliveries ${r.channel.padEnd(8)} ${Number(r.delivered)}/${Number(r.dispatches)} delivered, ${Number(r.failed)} failed permanently`,
    );
  const failed = await stack.warehouse.query<{
    recipient_id: string;
    provider_code: string | null;
    n: number;
  }>(
    `SELECT recipient_id, provider_code, COUNT(*) AS n FROM notifications.deliveries
      WHERE final AND outcome = 'permanent_failure' GROUP BY recipient_id, provider_code ORDER BY recipient_id`,
  );
  for (const f of failed)
    lines.push(
      `  permanent failures recorded and acknowledged: ${f.recipient_id} ×${Number(f.n)} (provider code ${f.provider_code ?? 'n/a'}); nobody else held up`,
    );
  lines.push(
    `  redelivered ${redelivered.alerts} alert(s) (Pub/Sub duplicates): ${redelivered.newProviderCalls} new provider call(s)`,
  );
  const aml = amlSeen.length
    ? `${amlSeen.length} from evaluateAml`
    : `${demoAml} demo alerts (evaluateAml published none)`;
  lines.push(
    `  AML alerts fanned out: ${aml}; webhook signatures rejected: ${n.webhooks.rejected}, resends de-duplicated by the receiver: ${n.webhooks.duplicates}`,
  );
  const dan = got.get('dan-desk-head') as Counts;
  const delivered = rates.reduce((a, r) => a + Number(r.delivered), 0);
  const compliance = COMPLIANCE.some((id) => (got.get(id)?.email.length ?? 0) > 0);
  const owners = ['alice-btc-desk', 'bob-eth-desk'].every((id) => (got.get(id)?.email.length ?? 0) > 0);
  const ok =
    delivered > 0 &&
    compliance &&
    owners &&
    n.webhooks.rejected === 0 &&
    dan.sms.length === 0 &&
    redelivered.alerts > 0 &&
    redelivered.newProviderCalls === 0;
  return { lines, ok };
}

export const notificationsScenario: ScenarioPart = { name: 'notifications', prepare, play, report };
