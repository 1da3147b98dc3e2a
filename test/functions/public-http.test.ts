/**
 * Internet-facing functions (topology "public": true) refuse compressed bodies on the serving path production
 * uses: each one's wiring, registered under its name with the Functions Framework and called through its test
 * server (express body parsers included). The framework inflates such a body before any of our code runs, so this
 * is the defence in depth; the load balancer's Cloud Armor policy refuses the request first in production
 * (test/unit/terraform/public-ingress.test.ts).
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { deflateSync, gzipSync } from 'node:zlib';
import { WIRINGS } from '../../functions/registry';
import type { InvocationObserver } from '../../functions/runtime/wiring';
import { personaSignatureHeader } from '../../shared/domain/kyc/signature';
import { FUNCTIONS } from '../../shared/topology/topology';
import { MemoryWarehouse, RecordingStore, SECRET, event } from '../support/kyc-support';
import { testPlatform } from '../support/test-platform';

const PUBLIC = FUNCTIONS.filter((f) => f.public).map((f) => f.name);

const store = new RecordingStore();
const warehouse = new MemoryWarehouse();
const platform = testPlatform({ store, warehouse });
platform.secretValues.set('PERSONA_WEBHOOK_SECRET', SECRET);
const answers: { functionName: string; status?: number; reason?: string }[] = [];
const observe: InvocationObserver = ({ functionName, status, reason }) =>
  answers.push({ functionName, status, reason });

beforeAll(() => {
  // What functions/runtime/register.ts does, on an in-memory platform.
  for (const name of PUBLIC) {
    const wiring = WIRINGS[name];
    if (wiring.trigger !== 'http') throw new Error(`${name} is public but not an HTTP function`);
    ff.http(
      name,
      wiring.serve(async () => platform, observe),
    );
  }
});

/** A Persona delivery, signed over its uncompressed bytes as Persona signs. */
function delivery(eventId: string, referenceId: string) {
  const body = event(eventId, 'inquiry.approved', '2024-05-31T23:59:00.000Z', { referenceId });
  const t = Math.floor(platform.clock.now().getTime() / 1000);
  return { body, signature: personaSignatureHeader([SECRET], t, body) };
}

/** Sends the compressed bytes as they are: superagent would otherwise JSON-encode a Buffer sent as JSON. */
const asIs = (bytes: unknown) => bytes as string;

const nothingChanged = () => ({
  storeWrites: store.writes.length,
  published: platform.bus.messages.length,
  warehouseRows: warehouse.rows.size,
});

describe('public HTTP functions refuse compressed bodies', () => {
  it('knows at least one public function (the Persona webhook)', () => {
    expect(PUBLIC).toContain('personaWebhook');
  });

  it.each(PUBLIC)('%s answers 415 to a gzip body', async (name) => {
    const res = await request(getTestServer(name))
      .post('/')
      .set('content-type', 'application/json')
      .set('content-encoding', 'gzip')
      .serialize(asIs)
      .send(gzipSync(Buffer.from(JSON.stringify({ pad: 'x'.repeat(64 * 1024) }))));
    expect(res.status).toBe(415);
    expect(answers.at(-1)).toEqual({ functionName: name, status: 415, reason: 'content-encoding' });
  });

  it('personaWebhook refuses a correctly signed delivery sent gzip- or deflate-compressed, and changes nothing', async () => {
    const before = nothingChanged();
    for (const [encoding, compress] of [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['GZIP', gzipSync],
    ] as const) {
      const { body, signature } = delivery(`evt_Compressed${encoding}`, 'user-compressed');
      const res = await request(getTestServer('personaWebhook'))
        .post('/')
        .set('content-type', 'application/json')
        .set('content-encoding', encoding)
        .set('persona-signature', signature)
        .serialize(asIs)
        .send(compress(Buffer.from(body)));
      expect({ encoding, status: res.status }).toEqual({ encoding, status: 415 });
    }
    expect(nothingChanged()).toEqual(before);
    expect(before).toEqual({ storeWrites: 0, published: 0, warehouseRows: 0 });
  });

  it('personaWebhook still applies the same delivery uncompressed (or with Content-Encoding: identity)', async () => {
    for (const encoding of [undefined, 'identity']) {
      const { body, signature } = delivery(`evt_Plain${encoding ?? 'None'}`, `user-${encoding ?? 'none'}`);
      const req = request(getTestServer('personaWebhook'))
        .post('/')
        .set('content-type', 'application/json')
        .set('persona-signature', signature);
      const res = await (encoding ? req.set('content-encoding', encoding) : req).send(body);
      expect({ encoding, status: res.status, outcome: res.body.outcome }).toEqual({
        encoding,
        status: 200,
        outcome: 'applied',
      });
    }
    expect(platform.bus.messages.length).toBeGreaterThan(0);
  });
});
