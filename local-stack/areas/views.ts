/**
 * The risk desk's views on the local stack: riskApi, the read API (and, as it lands, the dashboard it feeds).
 * Callers sign in locally with `Authorization: Bearer local:<identity>`; who reads which desk is configured as in
 * a deployment (RISK_API_ACCESS): a risk manager reads every desk, a desk head only the scenario's default desk.
 */
import type { AreaContext, LocalArea } from './types';

export const LOCAL_RISK_MANAGER = 'risk-manager@fusion-risk.local';
export const LOCAL_DESK_HEAD = 'desk-head@fusion-risk.local';

export interface ViewsServices {
  /** Identities with access to every desk, and to one desk only. */
  riskManager: string;
  deskHead: string;
}

export async function startViewsArea(ctx: AreaContext): Promise<LocalArea<ViewsServices>> {
  // The caller's settings win, so a developer can try other identities.
  const access = ctx.env.RISK_API_ACCESS ?? `${LOCAL_RISK_MANAGER}=*;${LOCAL_DESK_HEAD}=default`;
  return {
    functions: ['riskApi'],
    env: { RISK_API_ACCESS: access },
    services: { riskManager: LOCAL_RISK_MANAGER, deskHead: LOCAL_DESK_HEAD },
  };
}
