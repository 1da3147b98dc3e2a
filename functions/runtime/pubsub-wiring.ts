import type { CloudEventFunction } from '@google-cloud/functions-framework';
import { outsideRequest } from './outside-request';
import { lazyPubSubFunction, type Routes } from '../../shared/platform/triggers/pubsub-handler';
import type { EventBus } from '../../shared/ports/event-bus';
import type { Logger } from '../../shared/ports/logger';
import type { FunctionName } from '../../shared/topology/topology';
import { buildDependencies, type Build, type PubSubWiring } from './wiring';

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
        () => buildDependencies(name, platform, build),
        routes,
        observe,
      ) as CloudEventFunction;
      // Outside the framework's per-request domain: see outsideRequest. A failure still rejects to the framework.
      return (event) => outsideRequest(() => handle(event));
    },
  };
}
