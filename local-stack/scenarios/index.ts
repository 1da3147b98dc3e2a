/**
 * Scenario parts in play order: compliance first (KYC, AML, then the officers working the cases the alerts opened),
 * so its alerts reach notifications; risk controls right after
 * (on the prices the replay left, before notifications, so the risk desk's alerts are delivered before the
 * notifications part counts what providers received); operations, then the desk's views of it all, last.
 */
import { amlScenario } from './aml';
import { casesScenario } from './cases';
import { controlsScenario } from './controls';
import { kycScenario } from './kyc';
import { notificationsScenario } from './notifications';
import { operationsScenario } from './operations';
import type { ScenarioPart } from './types';
import { viewsScenario } from './views';

export const SCENARIO_PARTS: ScenarioPart[] = [
  kycScenario,
  amlScenario,
  casesScenario,
  controlsScenario,
  notificationsScenario,
  operationsScenario,
  viewsScenario,
];
