/** Local wiring of the kyc area: its functions and the local servers it talks to. */
import type { AreaWiring, WiringContext } from './types';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type KycServices = {};

export async function wireKyc(ctx: WiringContext): Promise<AreaWiring<KycServices>> {
  void ctx;
  return { services: {} };
}
