/** Local wiring of the aml area: evaluateAml on the shared adapters, with the configured policy and lists. */
import type { CloudEventFunction } from '@google-cloud/functions-framework';
import { evaluateAmlHandler } from '../../functions/evaluate-aml';
import { amlRuntime, type ScreeningListSource } from '../../shared/platform/config-aml';
import type { AreaWiring, WiringContext } from './types';

export interface AmlServices {
  policyVersion: string;
  policySource: string;
  lists: ScreeningListSource[];
}

export async function wireAml(ctx: WiringContext): Promise<AreaWiring<AmlServices>> {
  const aml = amlRuntime();
  const handler = evaluateAmlHandler(
    async () => ({
      store: ctx.store,
      bus: ctx.bus,
      warehouse: ctx.warehouse,
      clock: ctx.clock,
      logger: ctx.logger.child({ functionName: 'evaluateAml' }),
      policy: aml.policy,
    }),
    ctx.observe,
  );
  return {
    cloudEvent: { evaluateAml: handler as CloudEventFunction },
    services: { policyVersion: aml.policy.version, policySource: aml.policySource, lists: aml.lists },
  };
}
