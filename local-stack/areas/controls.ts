/**
 * The risk controls area on the local stack: riskAdmin, the policy and kill-switch admin API, with local roles
 * (call it with `Authorization: Bearer local:<identity>`). Two administrators, so the two-person release of a
 * stop can be tried locally, and one operator who may engage stops.
 */
import type { AreaContext, LocalArea } from './types';

export const LOCAL_RISK_ADMINS = ['risk-admin@fusion-risk.local', 'risk-admin-2@fusion-risk.local'] as const;
export const LOCAL_RISK_OPERATOR = 'risk-operator@fusion-risk.local';

export interface ControlsServices {
  admins: readonly string[];
  operator: string;
}

export async function startControlsArea(ctx: AreaContext): Promise<LocalArea<ControlsServices>> {
  // The caller's settings win, so a developer can try other identities.
  const admins = ctx.env.RISK_ADMINS ?? LOCAL_RISK_ADMINS.join(',');
  const operators = ctx.env.RISK_OPERATORS ?? LOCAL_RISK_OPERATOR;
  return {
    functions: ['riskAdmin'],
    env: { RISK_ADMINS: admins, RISK_OPERATORS: operators },
    services: { admins: LOCAL_RISK_ADMINS, operator: LOCAL_RISK_OPERATOR },
  };
}
