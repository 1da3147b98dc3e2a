/** Scenario parts in play order: compliance first, so its AML alerts reach notifications; operations last. */
import { amlScenario } from './aml';
import { kycScenario } from './kyc';
import { notificationsScenario } from './notifications';
import { operationsScenario } from './operations';
import type { ScenarioPart } from './types';

export const SCENARIO_PARTS: ScenarioPart[] = [
  kycScenario,
  amlScenario,
  notificationsScenario,
  operationsScenario,
];
