/**
 * The aml area on the local stack: evaluateAml (the stream) and screenTransaction (the synchronous check) with the
 * configured policy and lists (no provider to start).
 */
import { readAmlConfig, type ScreeningListSource } from '../../shared/platform/config/aml';
import type { AreaContext, LocalArea } from './types';

export interface AmlServices {
  policyVersion: string;
  policySource: string;
  lists: ScreeningListSource[];
}

export async function startAmlArea(ctx: AreaContext): Promise<LocalArea<AmlServices>> {
  const aml = readAmlConfig(ctx.env);
  return {
    functions: ['evaluateAml', 'screenTransaction'],
    env: {},
    services: { policyVersion: aml.policy.version, policySource: aml.policySource, lists: aml.lists },
  };
}
