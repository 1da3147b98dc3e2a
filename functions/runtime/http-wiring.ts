import type { HttpFunction } from '@google-cloud/functions-framework';
import { once } from '../../shared/platform/once';
import { outsideRequest } from './outside-request';
import { FUNCTIONS, type FunctionName } from '../../shared/topology/topology';
import { buildDependencies, type Build, type HttpWiring, type InvocationObserver } from './wiring';

/**
 * An HTTP function: dependencies built once per instance and shared by concurrent requests. A function the
 * topology marks public (internet-facing) also refuses compressed bodies (refuseEncodedBodies).
 */
export function httpWiring<N extends FunctionName, D>(
  name: N,
  build: Build<D>,
  handler: (deps: () => Promise<D>, observe?: InvocationObserver) => HttpFunction,
): HttpWiring<N> {
  const isPublic = FUNCTIONS.some((f) => f.name === name && f.public);
  return {
    name,
    trigger: 'http',
    serve: (platform, observe) => {
      const serve = handler(
        // Built by the first request, outside its domain like all of the request's work (see below).
        once(() => buildDependencies(name, platform, build)),
        observe,
      );
      // Outside the framework's per-request domain: see outsideRequest. A rejection still reaches the framework.
      const outside: HttpFunction = (req, res) => outsideRequest(() => serve(req, res));
      return isPublic ? refuseEncodedBodies(name, outside, observe) : outside;
    },
  };
}

/**
 * Answers 415 to a request whose body is compressed (a Content-Encoding other than identity), before the handler
 * reads anything: no caller of ours compresses (Persona never does). Defence in depth only: the Functions
 * Framework has already inflated such a body (up to 1 GB) by the time this runs, so it does not bound memory. What
 * does is the load balancer's Cloud Armor policy, which refuses the request before it reaches the function, and
 * the function's ingress, which admits nothing else from the internet (terraform/modules/edge).
 */
export function refuseEncodedBodies(
  name: FunctionName,
  handler: HttpFunction,
  observe?: InvocationObserver,
): HttpFunction {
  return (req, res) => {
    const encoding = (req.get('content-encoding') ?? '').trim().toLowerCase();
    if (encoding === '' || encoding === 'identity') return handler(req, res);
    observe?.({
      functionName: name,
      topic: `${name} (HTTP)`,
      outcome: 'rejected',
      durationMs: 0,
      status: 415,
      reason: 'content-encoding',
    });
    res.status(415).json({ error: 'compressed bodies are not accepted: send it without Content-Encoding' });
  };
}
