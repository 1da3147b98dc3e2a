/**
 * Cold-start dependencies are built once per instance and shared by concurrent requests; a failed build is not
 * cached. Every HTTP entry point builds its dependencies this way (Pub/Sub ones go through lazyPubSubFunction),
 * so no request re-reads configuration or re-creates Cloud clients, token verifiers or provider clients.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from '../../../shared/platform/once';

const FUNCTIONS = join(__dirname, '..', '..', '..', 'functions');

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

  it('is how every HTTP entry point builds its dependencies', () => {
    const registrations = readdirSync(FUNCTIONS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => {
        const text = readFileSync(join(FUNCTIONS, d.name, 'index.ts'), 'utf8');
        return [...text.matchAll(/ff\.http\(\s*'(\w+)',\s*([^;]+)\);/g)].map((m) => [m[1], m[2]]);
      });
    expect(registrations.length).toBeGreaterThanOrEqual(6);
    expect(registrations.filter(([, call]) => !/\(once\(productionDeps\)\)$/.test(call.trim()))).toEqual([]);
  });
});
