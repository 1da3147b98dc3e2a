/**
 * What an HTTP function's first request builds (clients, pollers, timers) must not stay bound to that request's
 * domain, which the Functions Framework opens around every HTTP request.
 */
import * as domain from 'node:domain';
import { outsideRequest } from '../../functions/runtime/outside-request';

/** The domain a timer started by `start` sees when it fires, when started inside a request's domain. */
function domainSeenByTimer(start: (create: () => Promise<unknown>) => Promise<unknown>): Promise<unknown> {
  const request = domain.create();
  return new Promise((resolve) => {
    request.run(() => {
      void start(async () => {
        await Promise.resolve();
        setTimeout(() => resolve((process as { domain?: unknown }).domain), 1);
      });
    });
  });
}

describe('dependencies built outside the request', () => {
  it('leave the timers they start bound to no request', async () => {
    expect(await domainSeenByTimer((create) => outsideRequest(create))).toBeUndefined();
  });

  it('(control) would otherwise run every later timer inside the first request', async () => {
    expect(await domainSeenByTimer((create) => create())).toBeDefined();
  });

  it('give the request its domain back afterwards', () => {
    const request = domain.create();
    request.run(() => {
      outsideRequest(() => undefined);
      expect((process as { domain?: unknown }).domain).toBe(request);
    });
  });
});
