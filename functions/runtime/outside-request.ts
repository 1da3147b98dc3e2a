/**
 * The Functions Framework runs every HTTP request inside a Node domain. Whatever an instance starts while
 * building its dependencies — clients, pollers, timers — would otherwise stay bound to the first request's
 * domain for the life of the instance: each of its asynchronous steps pays the domain's hooks, and a late error
 * of a background poller is reported as "Exception from a finished function" against a request long answered.
 * Built with no domain active, they belong to the instance instead.
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
