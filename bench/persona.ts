/**
 * persona.webhook.p99_ms: a Persona-signed webhook POSTed to personaWebhook until its answer, by which time
 * the case is committed in Firestore (one transaction with the idempotency record and the audit entry), the
 * personal data encrypted, the row in the warehouse and kyc.events.v1 published, through the emulators and
 * the Functions Framework. Reference in the same run: a forged delivery, refused at the signature check
 * before any store is touched, i.e. the HTTP and framework floor.
 */
import { KYC_COLLECTIONS } from '../shared/domain/kyc/documents';
import { personaSignatureHeader } from '../shared/domain/kyc/signature';
import { startEmulators } from '../local-stack/emulators';
import { personaId, personaInquiryEvent } from '../local-stack/providers/persona-events';
import { startLocalStack } from '../local-stack/stack';
import { LOCAL_PERSONA } from '../local-stack/areas/kyc';
import { ManualClock } from '../shared/platform/clocks';
import { StructuredLogger } from '../shared/platform/logger';
import type { BenchFigure } from './areas';
import { percentile } from './percentile';

const CASES = 60;
const LIFECYCLE = ['inquiry.created', 'inquiry.started', 'inquiry.completed', 'inquiry.approved'];
const WARMUP = 20;
const REFUSED = 100;

const round = (x: number) => Math.round(x * 10) / 10;

export async function runPersonaBenchmarks(): Promise<BenchFigure[]> {
  const emulators = await startEmulators();
  const clock = new ManualClock('2024-06-01T12:00:00Z');
  const stack = await startLocalStack({
    projectId: `bench-kyc-${process.pid}`,
    pubsubHost: emulators.pubsubHost,
    firestoreHost: emulators.firestoreHost,
    clock,
    prices: () => 1, // no price tick runs in this benchmark
    logger: new StructuredLogger({ minSeverity: 'ERROR' }), // the forged reference deliveries log warnings
  });
  try {
    const url = stack.functionUrls.personaWebhook ?? '';
    const post = async (body: string, secret: string) => {
      const t = Math.floor(clock.now().getTime() / 1000);
      const started = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Persona-Signature': personaSignatureHeader([secret], t, body),
        },
        body,
      });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - started };
    };
    const personal = {
      'name-first': 'Bench',
      'name-last': 'User',
      birthdate: '1990-01-01',
      'address-street-1': '1 Main Street',
      'identification-number': 'X1234567',
    };
    const bodies: string[] = [];
    for (let c = 0; c < CASES; c++) {
      const inquiry = {
        id: personaId('inq'),
        status: 'created',
        referenceId: `bench-user-${c}`,
        templateId: LOCAL_PERSONA.templateId,
        createdAt: '2024-06-01T11:00:00.000Z',
        personal,
      };
      LIFECYCLE.forEach((name, i) => {
        const at = new Date(Date.parse('2024-06-01T11:00:00Z') + i * 60_000 + c).toISOString();
        bodies.push(
          JSON.stringify(
            personaInquiryEvent({ name, createdAt: at, inquiry: { ...inquiry, status: name.split('.')[1] } }),
          ),
        );
      });
    }
    const accepted: number[] = [];
    let failures = 0;
    for (let i = 0; i < bodies.length; i++) {
      const r = await post(bodies[i], LOCAL_PERSONA.webhookSecret);
      if (r.status !== 200) failures++;
      else if (i >= WARMUP) accepted.push(r.ms);
    }
    const refused: number[] = [];
    for (let i = 0; i < REFUSED; i++) refused.push((await post(bodies[i], 'wbhsec_forged')).ms);
    await stack.settle(300);
    const stored = await stack.store.query(KYC_COLLECTIONS.cases, [
      { field: 'status', op: '==', value: 'approved' },
    ]);
    accepted.sort((a, b) => a - b);
    refused.sort((a, b) => a - b);
    return [
      { name: 'persona.webhook.p99_ms', value: round(percentile(accepted, 0.99)), unit: 'ms' },
      { name: 'persona.webhook.p50_ms', value: round(percentile(accepted, 0.5)), unit: 'ms' },
      { name: 'persona.webhook.samples', value: accepted.length, unit: 'deliveries' },
      { name: 'persona.webhook.non_200', value: failures, unit: 'deliveries' },
      { name: 'persona.webhook.cases_approved', value: `${stored.length}/${CASES}`, unit: 'cases' },
      {
        name: 'persona.webhook.refused_reference.p50_ms',
        value: round(percentile(refused, 0.5)),
        unit: 'ms',
      },
      {
        name: 'persona.webhook.refused_reference.p99_ms',
        value: round(percentile(refused, 0.99)),
        unit: 'ms',
      },
    ];
  } finally {
    await stack.stop();
    await emulators.stop();
  }
}

if (require.main === module) {
  void runPersonaBenchmarks().then((rows) => {
    for (const r of rows) console.log(`${r.name}: ${r.value} ${r.unit}`);
  });
}
