/**
 * How a function is wired: one definition per function (functions/<folder>/wiring.ts) that builds its
 * dependencies from a Platform and serves them through its trigger. Production, the local stack and tests serve
 * the same definition; only the platform differs.
 */
import type { CloudEventFunction, HttpFunction } from '@google-cloud/functions-framework';
import type { DeliveryObserver } from '../../shared/platform/triggers/pubsub-handler';
import type { Logger } from '../../shared/ports/logger';
import type { Platform } from '../../shared/ports/platform';
import type { FunctionName } from '../../shared/topology/topology';

/** The platform, resolved at the first invocation (a cold start), so configuration errors surface per request. */
export type PlatformSource = () => Promise<Platform>;

/** Observes every invocation (the local stack's flow summary and settle() count them). */
export type InvocationObserver = DeliveryObserver;

export interface HttpWiring<N extends FunctionName = FunctionName> {
  name: N;
  trigger: 'http';
  serve(platform: PlatformSource, observe?: InvocationObserver): HttpFunction;
}

export interface PubSubWiring<N extends FunctionName = FunctionName> {
  name: N;
  trigger: 'pubsub';
  serve(platform: PlatformSource, observe?: InvocationObserver): CloudEventFunction;
}

export type FunctionWiring<N extends FunctionName = FunctionName> = HttpWiring<N> | PubSubWiring<N>;

/** Builds a function's dependencies from the platform; `logger` already names the function. */
export type Build<D> = (platform: Platform, logger: Logger) => D | Promise<D>;

/**
 * The function's dependencies from the platform it is served on. A refusal is logged before it propagates: the
 * handler's own logger does not exist yet, and without this line a refused configuration would fail the
 * invocation (500, or a Pub/Sub retry) with nothing in the logs to say why. The next invocation tries again.
 */
export async function buildDependencies<D>(
  name: FunctionName,
  platform: PlatformSource,
  build: Build<D>,
): Promise<D> {
  const p = await platform();
  const logger = p.logger(name);
  try {
    return await build(p, logger);
  } catch (err) {
    logger.error('function could not start: its dependencies were refused', { error: err });
    throw err;
  }
}
