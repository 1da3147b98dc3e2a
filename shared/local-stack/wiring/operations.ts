/** Local wiring of the operations area: its functions and the local servers it talks to. */
import type { AreaWiring, WiringContext } from './types';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type OperationsServices = {};

export async function wireOperations(ctx: WiringContext): Promise<AreaWiring<OperationsServices>> {
  void ctx;
  return { services: {} };
}
