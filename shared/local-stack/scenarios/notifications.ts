/** The notifications part of the bundled scenario. */
import type { ScenarioPart } from './types';

export const notificationsScenario: ScenarioPart = {
  name: 'notifications',
  report: async () => ({ lines: [], ok: true }),
};
