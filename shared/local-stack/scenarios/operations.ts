/** The operations part of the bundled scenario. */
import type { ScenarioPart } from './types';

export const operationsScenario: ScenarioPart = {
  name: 'operations',
  report: async () => ({ lines: [], ok: true }),
};
