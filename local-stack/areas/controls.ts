/**
 * The risk controls area on the local stack: riskAdmin, the policy and kill-switch admin API, with local roles
 * (call it with `Authorization: Bearer local:<identity>`), and evaluateRiskLimits, the continuous evaluation on
 * risk.portfolio-risk.v1 (the stack subscribes it from the topology). Two administrators, so the two-person
 * release of a stop can be tried locally, and one operator who may engage stops. checkRisk, the pre-trade check,
 * belongs to the risk core the stack always serves; here it learns which caller stands for the lending platform
 * (RISK_CHECK_CALLERS, as a deployment names it; locally the token is `local:<identity>` too).
 */
import type { AreaContext, LocalArea } from './types';

export const LOCAL_RISK_ADMINS = ['risk-admin@fusion-risk.local', 'risk-admin-2@fusion-risk.local'] as const;
export const LOCAL_RISK_OPERATOR = 'risk-operator@fusion-risk.local';
/** The lending platform's identity, the one caller of checkRisk on the local stack. */
export const LOCAL_LENDING_PLATFORM = 'lending@fusion-risk.local';

export interface ControlsServices {
  admins: readonly string[];
  operator: string;
  /** Who may call checkRisk (RISK_CHECK_CALLERS). */
  checkRiskCallers: readonly string[];
}

export async function startControlsArea(ctx: AreaContext): Promise<LocalArea<ControlsServices>> {
  // The caller's settings win, so a developer can try other identities.
  const admins = ctx.env.RISK_ADMINS ?? LOCAL_RISK_ADMINS.join(',');
  const operators = ctx.env.RISK_OPERATORS ?? LOCAL_RISK_OPERATOR;
  const callers = ctx.env.RISK_CHECK_CALLERS ?? LOCAL_LENDING_PLATFORM;
  return {
    functions: ['riskAdmin', 'evaluateRiskLimits'],
    env: { RISK_ADMINS: admins, RISK_OPERATORS: operators, RISK_CHECK_CALLERS: callers },
    services: {
      admins: LOCAL_RISK_ADMINS,
      operator: LOCAL_RISK_OPERATOR,
      checkRiskCallers: callers.split(',').map((s) => s.trim()),
    },
  };
}
