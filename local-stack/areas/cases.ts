/**
 * The compliance case tool on the local stack: complianceCases (the officers' API) and watchCases (service levels,
 * run by the scenario as Cloud Scheduler would every minute). Officers sign in locally with
 * `Authorization: Bearer local:<identity>`; roles are configured as in a deployment (COMPLIANCE_CASES_ROLES).
 */
import type { AreaContext, LocalArea } from './types';

export const LOCAL_OFFICER = 'officer@fusion-risk.local';
export const LOCAL_SENIOR_OFFICER = 'mlro@fusion-risk.local';
export const LOCAL_AUDITOR = 'auditor@fusion-risk.local';

export interface CasesServices {
  officer: string;
  seniorOfficer: string;
  auditor: string;
}

export async function startCasesArea(ctx: AreaContext): Promise<LocalArea<CasesServices>> {
  // The caller's settings win, so a developer can try other identities.
  const roles =
    ctx.env.COMPLIANCE_CASES_ROLES ??
    `${LOCAL_OFFICER}=officer;${LOCAL_SENIOR_OFFICER}=senior_officer|officer;${LOCAL_AUDITOR}=auditor`;
  return {
    functions: ['complianceCases', 'watchCases'],
    env: { COMPLIANCE_CASES_ROLES: roles },
    services: { officer: LOCAL_OFFICER, seniorOfficer: LOCAL_SENIOR_OFFICER, auditor: LOCAL_AUDITOR },
  };
}
