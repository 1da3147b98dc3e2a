import type { MarginAlert } from '../shared/domain/notifications/types';

/** The alert both notification benches send: a portfolio falling from WARNING to MARGIN_CALL at health 22. */
export function marginCallAlert(
  at: Pick<MarginAlert, 'eventId' | 'portfolioId' | 'tickId' | 'asOf'>,
): MarginAlert {
  return {
    ...at,
    fromState: 'WARNING',
    toState: 'MARGIN_CALL',
    healthScore: 22,
    collateralUsd: 6832,
    borrowUsd: 5600,
    severity: 'CRITICAL',
  };
}
