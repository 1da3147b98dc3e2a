/**
 * The Functions Framework opens a Node domain around every request. While one is active, every promise and
 * callback pays the domain's async hooks (measured: ~10 % of the price-to-alert path's latency with every area
 * wired), so each function's work runs outside it; a failure still rejects to the framework, which answers 500.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import * as domain from 'node:domain';
import type { AddressInfo } from 'node:net';
import { httpWiring } from '../../functions/runtime/http-wiring';
import { recordAlerts } from '../../functions/record-alerts/wiring';
import type { MessagePublishedData } from '../../shared/platform/triggers/pubsub-handler';
import type { DocumentStore } from '../../shared/ports/document-store';
import { loadFixtures } from '../unit/contracts/schema-fixtures';
import { testPlatform } from '../support/test-platform';

const alert = loadFixtures('messages/alerts.margin.v1').good[0].value;
const push = (): CloudEvent<MessagePublishedData> =>
  ({
    specversion: '1.0',
    id: '5100001',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: '//pubsub.googleapis.com/projects/request-domain/topics/alerts.margin.v1',
    data: {
      message: { data: Buffer.from(JSON.stringify(alert)).toString('base64'), messageId: '5100001' },
      subscription: 'projects/request-domain/subscriptions/record-alerts.margin',
    },
  }) as CloudEvent<MessagePublishedData>;

/** The domain active at each store call the function makes. */
function watchedStore(store: DocumentStore, seen: unknown[], fail = false): DocumentStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        seen.push((process as { domain?: unknown }).domain);
        if (fail) return Promise.reject(new Error('store unavailable'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Runs `fn` the way the framework does: inside a fresh domain, on the next tick. */
const inRequestDomain = <T>(fn: () => Promise<T>): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const request = domain.create();
    request.run(() => process.nextTick(() => fn().then(resolve, reject)));
  });

it('runs a function’s work outside the request’s domain', async () => {
  const seen: unknown[] = [];
  const p = testPlatform();
  p.clock.set(new Date());
  const store = watchedStore(p.store, seen);
  const handler = recordAlerts.serve(async () => ({ ...p, store })) as (
    ce: CloudEvent<MessagePublishedData>,
  ) => Promise<void>;
  await inRequestDomain(() => handler(push()));
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.every((d) => d === undefined)).toBe(true);
});

it('(control) the same store call made in the handler’s place would run inside it', async () => {
  const seen: unknown[] = [];
  const store = watchedStore(testPlatform().store, seen);
  await inRequestDomain(() => store.get('x', 'y'));
  expect(seen).toHaveLength(1);
  expect(seen[0]).toBeInstanceOf(domain.Domain);
});

it('still rejects to the framework when the work fails, so the push is answered with an error', async () => {
  const p = testPlatform();
  p.clock.set(new Date());
  const store = watchedStore(p.store, [], true);
  const handler = recordAlerts.serve(async () => ({ ...p, store })) as (
    ce: CloudEvent<MessagePublishedData>,
  ) => Promise<void>;
  await expect(inRequestDomain(() => handler(push()))).rejects.toThrow('store unavailable');
});

it('an HTTP function served by the framework builds and answers outside the request’s domain', async () => {
  const seen: unknown[] = [];
  const activeDomain = () => (process as { domain?: unknown }).domain;
  const wiring = httpWiring(
    'ingestPrices',
    async () => {
      seen.push(activeDomain()); // the first request's build
      return {};
    },
    (deps) => async (_req, res) => {
      await deps();
      seen.push(activeDomain()); // each request's own work
      res.status(204).end();
    },
  );
  ff.http(
    'request-domain-http',
    wiring.serve(async () => testPlatform()),
  );
  const server = getTestServer('request-domain-http');
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    for (let i = 0; i < 2; i++) expect((await fetch(url, { method: 'POST' })).status).toBe(204);
  } finally {
    await new Promise((r) => server.close(r));
  }
  expect(seen).toEqual([undefined, undefined, undefined]);
});
