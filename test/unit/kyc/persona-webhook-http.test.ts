/**
 * personaWebhook through the Functions Framework (express body parsers, req.rawBody) with supertest: status
 * mapping, the raw body, and 1,000 seeded malformed deliveries that must all get a 4xx and change nothing.
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { personaWebhookHttp } from '../../../functions/persona-webhook/wiring';
import { KYC_COLLECTIONS } from '../../../shared/domain/kyc/documents';
import { personaSignatureHeader } from '../../../shared/domain/kyc/signature';
import { seededRandom } from '../../../local-stack/seeded-random';
import { SECRET, event, webhookSetup } from '../../support/kyc-support';

const T1 = '2024-03-15T18:35:00.000Z';

function serve(s: ReturnType<typeof webhookSetup>, name: string) {
  ff.http(
    name,
    personaWebhookHttp(async () => s.deps),
  );
  return getTestServer(name);
}

const nowT = (s: ReturnType<typeof webhookSetup>) => Math.floor(s.clock.now().getTime() / 1000);

describe('personaWebhook over HTTP', () => {
  it('verifies the exact bytes received and answers 200 with the outcome', async () => {
    const s = webhookSetup();
    const server = serve(s, 'kycHttpOk');
    // Odd spacing and a float: a re-serialised body would not match the signature.
    const body = event('evt_Http1', 'inquiry.approved', T1)
      .replace('{"data"', '{ "data" ')
      .replace('"tags":[]', '"tags":[],"score":1.10');
    const res = await request(server)
      .post('/')
      .set('Content-Type', 'application/json')
      .set('persona-signature', personaSignatureHeader([SECRET], nowT(s), body))
      .send(body);
    expect([res.status, res.body]).toEqual([200, { outcome: 'applied', eventId: 'evt_Http1' }]);
    expect(await s.store.get(KYC_COLLECTIONS.cases, 'user-alice')).toMatchObject({ status: 'approved' });
  });

  it('maps refusals to 4xx and a transient failure to 503', async () => {
    const s = webhookSetup();
    const server = serve(s, 'kycHttpMap');
    const body = event('evt_Http2', 'inquiry.approved', T1);
    const post = (sig: string | undefined, b: string = body) => {
      const r = request(server).post('/').set('Content-Type', 'application/json');
      return (sig === undefined ? r : r.set('Persona-Signature', sig)).send(b);
    };
    expect((await request(server).get('/')).status).toBe(405);
    expect((await post(undefined)).status).toBe(401);
    expect((await post(personaSignatureHeader(['wbhsec_wrong'], nowT(s), body))).status).toBe(401);
    expect((await post(personaSignatureHeader([SECRET], nowT(s) - 3600, body))).status).toBe(401);
    const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
    expect((await post(personaSignatureHeader([SECRET], nowT(s), big), big)).status).toBe(413);
    const notEvent = '{"hello":"world"}';
    expect((await post(personaSignatureHeader([SECRET], nowT(s), notEvent), notEvent)).status).toBe(400);
    expect(s.store.writes).toEqual([]);

    const failing = webhookSetup();
    failing.deps.webhookSecrets = () => Promise.reject(new Error('secret manager unavailable'));
    const res = await request(serve(failing, 'kycHttpTransient'))
      .post('/')
      .set('Content-Type', 'application/json')
      .set('Persona-Signature', personaSignatureHeader([SECRET], nowT(s), body))
      .send(body);
    expect(res.status).toBe(503);
  });

  it('answers 1,000 random malformed deliveries with a 4xx and no state change', async () => {
    const s = webhookSetup();
    const server = serve(s, 'kycHttpFuzz');
    const agent = request.agent(server);
    const rnd = seededRandom(20240315);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const valid = JSON.parse(event('evt_Fuzz', 'inquiry.approved', T1)) as Record<string, unknown>;
    const statuses = new Map<number, number>();
    const bodies = malformedBodies(valid, rnd, 1000);
    for (const { body, sign } of bodies) {
      const t = nowT(s) + (sign === 'stale' ? -1000 : 0);
      const sig =
        sign === 'none'
          ? undefined
          : sign === 'garbage'
            ? pick(['t=,v1=', 'v1=00', `t=${t}`, 'x'.repeat(300), `t=${t},v1=${'z'.repeat(64)}`])
            : personaSignatureHeader(sign === 'wrong' ? ['wbhsec_wrong'] : [SECRET], t, body);
      let r = agent
        .post('/')
        .set('Content-Type', pick(['application/json', 'text/plain', 'application/octet-stream']));
      if (sig !== undefined) r = r.set('Persona-Signature', sig);
      const res = await r.send(body);
      process.stderr.write(`${res.status} ${sign} ${JSON.stringify(res.body)} ${body.slice(0, 300)}\n`);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    const codes = [...statuses.keys()].sort();
    expect(codes.every((c) => c >= 400 && c < 500)).toBe(true);
    // Most were signed correctly, so the decoder (not only the signature check) saw them.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(400);
    expect(statuses.get(401) ?? 0).toBeGreaterThan(100);
    expect(s.store.writes).toEqual([]);
    expect(s.bus.messages).toEqual([]);
    expect(s.warehouse.rows.size).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Values wrong for any field they replace (types, id shapes, dates, names). */
const BAD: Record<string, Json[]> = {
  '/data': [null, 1, 'event', [], true],
  '/data/type': ['inquiry', 'Event', '', null, 7],
  '/data/id': [null, 42, '', 'inq_X1', 'evt_', `evt_${'a'.repeat(65)}`, 'evt_a/b', 'evt_a b', {}],
  '/data/attributes': [null, 'x', [], 3],
  '/data/attributes/name': [null, '', 'Inquiry.Approved', 'inquiry', 'inquiry..x', 5, ['inquiry.approved']],
  '/data/attributes/createdAt': ['yesterday', '2024-13-45T00:00:00Z', '', 1710528000, null],
  '/data/attributes/payload': [null, [], 'payload', 0],
  '/data/attributes/payload/data': [null, [], 'x'],
  '/data/attributes/payload/data/type': ['account', 'verification', '', null, 1],
  '/data/attributes/payload/data/id': ['evt_Not1', 'act_123', '', null, 99, 'inq_a/b'],
  '/data/attributes/payload/data/attributes': [null, 'x', [], 1],
  '/data/attributes/payload/data/attributes/status': [1, null, [], {}],
  '/data/attributes/payload/data/attributes/referenceId': [1, '', [], {}, 'x'.repeat(300)],
  '/data/attributes/payload/included': ['none', {}, 1],
};

function camelPath(path: string): string {
  return path.replace('createdAt', 'created-at').replace('referenceId', 'reference-id');
}

function setAt(
  root: Record<string, unknown>,
  path: string,
  value: Json | undefined,
): Record<string, unknown> {
  const copy = structuredClone(root);
  const keys = camelPath(path).split('/').slice(1);
  let node = copy as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function deep(n: number): string {
  return '['.repeat(n) + ']'.repeat(n);
}

function malformedBodies(
  valid: Record<string, unknown>,
  rnd: () => number,
  count: number,
): { body: string; sign: 'ok' | 'none' | 'wrong' | 'stale' | 'garbage' }[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const text = JSON.stringify(valid);
  const generators: (() => string)[] = [
    // A field replaced by a wrong value, or removed when it is required.
    () => {
      const path = pick(Object.keys(BAD));
      return JSON.stringify(setAt(valid, path, pick(BAD[path])));
    },
    () => {
      const path = pick([
        '/data',
        '/data/type',
        '/data/id',
        '/data/attributes',
        '/data/attributes/name',
        '/data/attributes/createdAt',
        '/data/attributes/payload',
        '/data/attributes/payload/data',
        '/data/attributes/payload/data/type',
        '/data/attributes/payload/data/id',
        '/data/attributes/payload/data/attributes',
      ]);
      return JSON.stringify(setAt(valid, path, undefined));
    },
    // Not JSON, truncated JSON, not UTF-8, wrong roots, hostile shapes.
    () => text.slice(0, Math.floor(rnd() * (text.length - 1))),
    () =>
      Buffer.from(
        Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256)),
      ).toString('latin1'),
    () =>
      pick([
        '',
        ' ',
        'null',
        'true',
        '42',
        '"evt"',
        '[]',
        '{}',
        '[{"data":{}}]',
        'NaN',
        '{"data":undefined}',
      ]),
    () => deep(100 + Math.floor(rnd() * 5000)),
    () =>
      JSON.stringify({ __proto__: { polluted: true }, ...valid })
        .replace('"data"', '"__proto__":{"x":1},"data"')
        .replace('{"__proto__":{"x":1},', '{"__proto__":{"x":1},"constructor":{"prototype":{"y":1}},'),
    () => text.replace('"data"', '"data":1,"data"').replace('"type":"event"', '"type":"event","type":"evnt"'),
    () => text.replace(/"/g, "'"),
    () => '\uFEFF' + text.replace('evt_Fuzz', 'evt_Fuzz\u0000'),
  ];
  const out: { body: string; sign: 'ok' | 'none' | 'wrong' | 'stale' | 'garbage' }[] = [];
  for (let i = 0; i < count; i++) {
    const body = pick(generators)();
    const r = rnd();
    out.push({
      body,
      sign: r < 0.6 ? 'ok' : r < 0.7 ? 'none' : r < 0.8 ? 'wrong' : r < 0.9 ? 'stale' : 'garbage',
    });
  }
  return out;
}
