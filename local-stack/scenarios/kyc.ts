/**
 * The KYC part of the bundled scenario, played on the stack's clock after the margin replay. Three desk
 * clients go through identity verification with the local Persona: startKyc creates their inquiries, Persona
 * moves them on and signs a webhook for every event. One approval arrives before the completion it follows
 * (out of order), one inquiry expires and is replaced, a repeated startKyc is answered from the 24 h cache,
 * Persona retries one event (a duplicate), and two deliveries are refused: one forged with the wrong secret,
 * one captured and replayed ten minutes later.
 */
import type { Message, Subscription } from '@google-cloud/pubsub';
import { KYC_COLLECTIONS, type KycCaseDoc } from '../../shared/domain/kyc/documents';
import type { ManualClock } from '../../shared/platform/clocks';
import { personaId, personaInquiryEvent } from '../providers/persona-events';
import type { Delivery } from '../providers/persona-webhook-sender';
import type { LocalStack } from '../stack';
import type { ScenarioPart } from './types';

const USERS = { anna: 'desk-client-anna', ben: 'desk-client-ben', chloe: 'desk-client-chloe' } as const;

/** Personal data the clients type into Persona's flow; none of it may be stored or logged in clear. */
const PERSONAL: Record<string, Record<string, string>> = {
  [USERS.anna]: {
    'name-first': 'Anna',
    'name-last': 'Lindqvist',
    birthdate: '1984-06-02',
    'address-street-1': 'Sveavägen 44',
    'identification-number': 'SE9912873',
  },
  [USERS.ben]: {
    'name-first': 'Benedikt',
    'name-last': 'Oyelaran',
    birthdate: '1991-02-17',
    'address-street-1': 'Calle de Alcalá 120',
    'identification-number': 'ES44XK1902',
  },
  [USERS.chloe]: { 'name-first': 'Chloé', 'name-last': 'Marchetti', birthdate: '1979-09-30' },
};

interface Played {
  startCalls: { user: string; status: number; source: string }[];
  forged?: Delivery;
  replayed?: Delivery;
  retried?: Delivery;
  chloeFirstInquiry?: string;
  received: Message[];
  sub?: Subscription;
}

const played: Played = { startCalls: [], received: [] };

async function startKyc(stack: LocalStack, user: string): Promise<{ inquiryId: string; source: string }> {
  const res = await fetch(stack.functionUrls.startKyc ?? '', {
    method: 'POST',
    // The desk's onboarding service calls with its identity token (locally `local:<identity>`).
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer local:onboarding@desk.local' },
    body: JSON.stringify({ userId: user, requestedBy: 'scenario-onboarding' }),
  });
  const body = (await res.json()) as { inquiryId: string; source: string };
  played.startCalls.push({ user, status: res.status, source: body.source });
  // Persona's inquiry.created webhook follows the answer; the story's next step comes after it, as it would.
  await stack.areas.kyc.persona.idle();
  return body;
}

async function play(stack: LocalStack, clock: ManualClock): Promise<void> {
  const kyc = stack.areas.kyc;
  const [sub] = await stack.pubsub
    .topic('kyc.events.v1')
    .createSubscription('scenario-kyc-events')
    .catch(async (err: { code?: number }) => {
      if (err.code !== 6) throw err;
      return [stack.pubsub.subscription('scenario-kyc-events')] as [Subscription];
    });
  played.sub = sub;
  sub.on('message', (m: Message) => {
    played.received.push(m);
    m.ack();
  });
  const sender = kyc.connectWebhooks(stack.functionUrls.personaWebhook ?? '');
  const persona = kyc.persona;
  const started = clock.now();
  const step = () => clock.advance(90_000);

  try {
    // Anna: created → started → completed → approved, the approval delivered before the completion.
    const anna = await startKyc(stack, USERS.anna);
    step();
    await persona.advance(anna.inquiryId, 'inquiry.started', PERSONAL[USERS.anna]);
    step();
    const held: Record<string, unknown>[] = [];
    persona.onEvent = async (e) => void held.push(e);
    await persona.advance(anna.inquiryId, 'inquiry.completed');
    step();
    await persona.advance(anna.inquiryId, 'inquiry.approved');
    persona.onEvent = async (e) => void (await sender.send(e));
    const approval = await sender.send(held[1]);
    await sender.send(held[0]); // the older completion arrives last and must not undo the approval
    // Persona did not see our answer and retries the approval (re-signed): a duplicate, applied once.
    step();
    played.retried = await sender.send(held[1]);

    // Ben: reviewed, then declined.
    const ben = await startKyc(stack, USERS.ben);
    step();
    await persona.advance(ben.inquiryId, 'inquiry.started', PERSONAL[USERS.ben]);
    await persona.advance(ben.inquiryId, 'inquiry.completed');
    step();
    await persona.advance(ben.inquiryId, 'inquiry.marked-for-review');
    step();
    await persona.advance(ben.inquiryId, 'inquiry.declined');

    // Chloé abandons her inquiry; it expires and she starts again with a new one.
    const chloe = await startKyc(stack, USERS.chloe);
    played.chloeFirstInquiry = chloe.inquiryId;
    await persona.advance(chloe.inquiryId, 'inquiry.started', PERSONAL[USERS.chloe]);
    step();
    await persona.advance(chloe.inquiryId, 'inquiry.expired');
    step();
    await startKyc(stack, USERS.chloe);

    // Anna asks again within 24 h: answered from her case, no new inquiry.
    await startKyc(stack, USERS.anna);

    // A forged approval for Ben, signed with a guessed secret.
    const inquiry = persona.inquiries.get(ben.inquiryId);
    if (inquiry) {
      const forged = personaInquiryEvent({
        eventId: personaId('evt'),
        name: 'inquiry.approved',
        createdAt: clock.now().toISOString(),
        inquiry: { ...inquiry, status: 'approved', personal: undefined },
      });
      played.forged = await sender.send(forged, {
        secrets: ['wbhsec_guessed_by_an_attacker'],
        maxAttempts: 1,
      });
    }
    // Anna's approval, captured on the wire and replayed verbatim ten minutes later.
    clock.advance(600_000);
    played.replayed = await sender.replay(approval);
  } finally {
    clock.set(started); // the parts after this one play on the time the margin replay left
  }
}

async function report(stack: LocalStack): Promise<{ lines: string[]; ok: boolean }> {
  const kyc = stack.areas.kyc;
  const rows = await stack.warehouse.query<{ n: number | bigint }>(
    'SELECT count(*) AS n FROM compliance.kyc_events',
  );
  const stored = Number(rows[0]?.n ?? 0);
  const deadline = Date.now() + 10_000;
  while (played.received.length < stored && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  await played.sub?.close();

  const cases = new Map<string, KycCaseDoc | undefined>();
  for (const u of Object.values(USERS))
    cases.set(u, await stack.store.get<KycCaseDoc>(KYC_COLLECTIONS.cases, u));
  const clearText = JSON.stringify([...cases.values()]);
  const leaked = Object.values(PERSONAL)
    .flatMap((p) => Object.values(p))
    .filter((v) => clearText.includes(v));

  const answers = new Map<string, number>();
  for (const a of kyc.webhookAnswers)
    answers.set(`${a.status} ${a.reason}`, (answers.get(`${a.status} ${a.reason}`) ?? 0) + 1);
  const lines = [
    `cases (kycCases, keyed by Persona reference id):`,
    ...[...cases].map(
      ([u, c]) =>
        `  ${u.padEnd(20)} ${(c?.status ?? 'none').padEnd(13)} ${c?.inquiryId ?? ''}  personal data encrypted: ${
          c?.personalData ? c.personalDataFields.join(', ') : 'none'
        }`,
    ),
    `startKyc calls: ${played.startCalls.map((s) => `${s.user.replace('desk-client-', '')} ${s.status} ${s.source}`).join('; ')}`,
    `personaWebhook answers: ${[...answers].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
    `caught: forged delivery → ${played.forged?.status} ${played.forged?.response}; replayed delivery → ${played.replayed?.status} ${played.replayed?.response}; Persona retry → ${played.retried?.status} ${played.retried?.response}`,
    `kyc.events.v1 received: ${played.received.length}; compliance.kyc_events rows: ${stored}; plaintext personal data in stored cases: ${leaked.length}`,
  ];
  const chloe = cases.get(USERS.chloe);
  const ok =
    cases.get(USERS.anna)?.status === 'approved' &&
    cases.get(USERS.ben)?.status === 'declined' &&
    chloe !== undefined &&
    chloe.status === 'created' &&
    chloe.inquiryId !== played.chloeFirstInquiry &&
    played.startCalls.some((s) => s.user === USERS.anna && s.source === 'cache') &&
    played.forged?.status === 401 &&
    played.replayed?.status === 401 &&
    played.retried?.status === 200 &&
    stored > 0 &&
    played.received.length === stored &&
    leaked.length === 0;
  return { lines, ok };
}

export const kycScenario: ScenarioPart = { name: 'KYC', play, report };
