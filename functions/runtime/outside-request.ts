/**
 * The Functions Framework runs every HTTP request inside a Node domain. Whatever an instance starts while
 * building its dependencies — clients, pollers, timers — would otherwise stay bound to the first request's
 * domain for the life of the instance: each of its asynchronous steps pays the domain's hooks, and a late error
 * of a background poller is reported as "Exception from a finished function" against a request long answered.
 * Built with no domain active, they belong to the instance instead.
 *
 * Each request's own work runs outside it too (pubsubWiring, httpWiring): inside a domain every promise and
 * callback pays its async hooks, which was ~10 % of the price-to-alert latency with every area wired. The handler's
 * promise still settles to the framework, so a failure is answered as before; only an exception thrown outside
 * any promise (a stray emitter) is no longer caught per request, and ends the instance as Node does by default.
 */
interface DomainLike {
  exit(): void;
  enter(): void;
}

export function outsideRequest<T>(create: () => T): T {
  const active = (process as { domain?: DomainLike | null }).domain;
  if (!active) return create();
  active.exit();
  try {
    // Promises created here carry no domain, so the rest of an async `create` runs outside it too.
    return create();
  } finally {
    active.enter();
  }
}
