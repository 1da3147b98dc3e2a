/**
 * Cold-start dependencies are built once per instance and shared by concurrent requests; a failed build is not
 * cached. Every HTTP entry point builds its dependencies this way (Pub/Sub ones go through lazyPubSubFunction),
 * so no request re-reads configuration or re-creates Cloud clients, token verifiers or provider clients.
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { WIRINGS } from '../../../functions/registry';
import { once } from '../../../shared/platform/once';
import { FUNCTIONS } from '../../../shared/topology/topology';
import { testPlatform } from '../../support/test-platform';

const HTTP_FUNCTIONS = FUNCTIONS.filter((f) => f.trigger === 'http').map((f) => f.name);

describe('once', () => {
  it('runs the factory once and gives every caller, concurrent or later, the same result', async () => {
    let builds = 0;
    const deps = once(async () => ({ build: ++builds }));
    const [a, b] = await Promise.all([deps(), deps()]);
    const c = await deps();
    expect(builds).toBe(1);
    expect(a).toBe(b);
    expect(c).toBe(a);
  });

  it('forgets a failed build, so the next call tries again and then keeps the success', async () => {
    let attempt = 0;
    const deps = once(async () => {
      attempt++;
      if (attempt === 1) throw new Error('secret manager unavailable');
      return { attempt };
    });
    await expect(deps()).rejects.toThrow('secret manager unavailable');
    expect(await deps()).toEqual({ attempt: 2 });
    expect(await deps()).toEqual({ attempt: 2 });
    expect(attempt).toBe(2);
  });

  it.each(HTTP_FUNCTIONS)(
    '%s builds its dependencies once per instance, shared by concurrent requests',
    async (name) => {
      const wiring = WIRINGS[name];
      if (wiring.trigger !== 'http') throw new Error(`${name} is not an HTTP function`);
      let builds = 0;
      const platform = testPlatform();
      ff.http(
        `once-${name}`,
        wiring.serve(async () => (builds++, platform)),
      );
      const server = getTestServer(`once-${name}`);
      const method = name === 'notificationPreferences' ? 'get' : 'post';
      await Promise.all([1, 2, 3].map(() => request(server)[method]('/').send({})));
      await request(server)[method]('/').send({});
      expect(builds).toBe(1);
    },
  );
});
