/** Registers a function's one wiring with the Functions Framework, on the Google Cloud platform. */
import * as ff from '@google-cloud/functions-framework';
import { once } from '../../shared/platform/once';
import { cloudPlatform } from './cloud-platform';
import type { FunctionWiring } from './wiring';

/** One platform per instance, built at the first invocation; a failed build is retried by the next one. */
const platform = once(async () => cloudPlatform());

export function register(wiring: FunctionWiring): void {
  if (wiring.trigger === 'http') ff.http(wiring.name, wiring.serve(platform));
  else ff.cloudEvent(wiring.name, wiring.serve(platform));
}
