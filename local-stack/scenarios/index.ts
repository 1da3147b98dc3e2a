/**
 * Scenario parts in play order: compliance first, so its AML alerts reach notifications; risk controls right after
 * (on the prices the replay left, before notifications, so the risk desk's alerts are delivered before the
 * notifications part counts what providers received); operations last.
 */
import { amlScenario } from './aml';
import { controlsScenario } from './controls';
import { kycScenario } from './kyc';
import { notificationsScenario } from './notifications';
import { operationsScenario } from './operations';
import type { ScenarioPart } from './types';

export const SCENARIO_PARTS: ScenarioPart[] = [
  kycScenario,
  amlScenario,
  controlsScenario,
  notificationsScenario,
  operationsScenario,
];
