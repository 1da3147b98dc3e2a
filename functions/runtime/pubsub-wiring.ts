import type { CloudEventFunction } from '@google-cloud/functions-framework';
import { outsideRequest } from './outside-request';
import { lazyPubSubFunction, type Routes } from '../../shared/platform/triggers/pubsub-handler';
import type { EventBus } from '../../shared/ports/event-bus';
import type { Logger } from '../../shared/ports/logger';
import type { FunctionName } from '../../shared/topology/topology';
import type { Build, PubSubWiring } from './wiring';

/** A Pub/Sub push function: dependencies built once per instance, one route per consumed topic. */
export function pubsubWiring<N extends FunctionName, D extends { bus: EventBus; logger: Logger }>(
  name: N,
  build: Build<D>,
  routes: (deps: D) => Routes,
): PubSubWiring<N> {
  return {
    name,
    trigger: 'pubsub',
    serve: (platform, observe) => {
      const handle = lazyPubSubFunction(
        name,
        async () => {
          const p = await platform();
          const logger = p.logger(name);
          try {
            return await build(p, logger);
          } catch (err) {
            // No handler logger yet: say why the delivery fails (Pub/Sub retries it; the next one tries again).
            logger.error('function could not start: its dependencies were refused', { error: err });
            throw err;
          }
        },
        routes,
        observe,
      ) as CloudEventFunction;
      // Outside the framework's per-request domain: see outsideRequest. A failure still rejects to the framework.
      return (event) => outsideRequest(() => handle(event));
    },
  };
}
