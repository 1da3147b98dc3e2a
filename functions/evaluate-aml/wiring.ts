/**
 * evaluateAml — Pub/Sub push: compliance.transactions.v1 → amlAlerts + alerts.aml.v1 + compliance.aml_alerts;
 * a transaction dated in the future → alerts.operations.v1 and the dead-letter topic.
 */
import { readAmlConfig } from '../../shared/platform/config/aml';
import { readEventTimeConfig } from '../../shared/platform/config/event-time';
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
    const eventTime = readEventTimeConfig(p.env);
    return { ...p, logger, policy: aml.policy, eventTimeMaxSkewSeconds: eventTime.maxSkewSeconds };
  },
  (d) => ({
    // The message id names the refused delivery in the operators' alert (and its dead letter).
    'compliance.transactions.v1': (m, ctx) => evaluate(d, m, { messageId: ctx.messageId }),
  }),
);
