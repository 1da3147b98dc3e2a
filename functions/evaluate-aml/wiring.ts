/** evaluateAml — Pub/Sub push: compliance.transactions.v1 → amlAlerts + compliance.aml_alerts + alerts.aml.v1. */
import { readAmlConfig } from '../../shared/platform/config/aml';
import { evaluateAml as evaluate } from '../../shared/use-cases/evaluate-aml';
import { pubsubWiring } from '../runtime/pubsub-wiring';

export const evaluateAml = pubsubWiring(
  'evaluateAml',
  (p, logger) => {
    const aml = readAmlConfig(p.env);
    logger.info('AML policy loaded', {
      policyVersion: aml.policy.version,
      policySource: aml.policySource,
      rules: aml.policy.rules.length,
      lists: aml.lists,
    });
    return { ...p, logger, policy: aml.policy };
  },
  (d) => ({
    'compliance.transactions.v1': (m) => evaluate(d, m),
  }),
);
