/** Local wiring of the aml area: its functions and the local servers it talks to. */
import type { AreaWiring, WiringContext } from './types';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type AmlServices = {};

export async function wireAml(ctx: WiringContext): Promise<AreaWiring<AmlServices>> {
  void ctx;
  return { services: {} };
}
