/**
 * evaluateRiskLimits — Pub/Sub push: risk.portfolio-risk.v1 → alerts.risk.v1 (RISK_LIMIT_BREACHED / CLEARED,
 * STOP_CHANGED when a breaker trips or an emergency rule halts) + risk.risk_violations. The instance's policy
 * cache announces a stored policy it cannot use (POLICY_INVALID) once per version.
 */
import { policyInvalidAlert } from '../../shared/use-cases/controls/announcements';
import { PolicyCache } from '../../shared/use-cases/controls/policy-cache';
import { evaluateRiskLimitsBatch } from '../../shared/use-cases/evaluate-risk-limits';
import { pubsubWiring } from '../runtime/pubsub-wiring';

export const evaluateRiskLimits = pubsubWiring(
  'evaluateRiskLimits',
  (p, logger) => ({
    ...p,
    logger,
    policies: new PolicyCache(p.store, p.clock, logger, {
      onInvalid: async (bad) => {
        const alert = policyInvalidAlert(bad, bad.scopeKey, p.clock.now());
        await p.bus.publish('alerts.risk.v1', alert, {
          attributes: { alertId: alert.alertId, kind: alert.kind, scopeKey: alert.scopeKey },
        });
      },
    }),
  }),
  (d) => ({
    'risk.portfolio-risk.v1': (m, ctx) => evaluateRiskLimitsBatch({ ...d, deliveryId: ctx.messageId }, m),
  }),
);
