import type { HttpFunction } from '@google-cloud/functions-framework';
import { once } from '../../shared/platform/once';
import type { FunctionName } from '../../shared/topology/topology';
import type { Build, HttpWiring, InvocationObserver } from './wiring';

/** An HTTP function: dependencies built once per instance and shared by concurrent requests. */
export function httpWiring<N extends FunctionName, D>(
  name: N,
  build: Build<D>,
  handler: (deps: () => Promise<D>, observe?: InvocationObserver) => HttpFunction,
): HttpWiring<N> {
  return {
    name,
    trigger: 'http',
    serve: (platform, observe) =>
      handler(
        once(async () => {
          const p = await platform();
          return build(p, p.logger(name));
        }),
        observe,
      ),
  };
}
