/**
 * evaluateAml — Pub/Sub push: compliance.transactions.v1 → amlAlerts + alerts.aml.v1 + compliance.aml_alerts +
 * compliance.transactions + compliance cases; a transaction dated in the future → alerts.operations.v1 and the
 * dead-letter topic. It also finishes the delivery of transactions screenTransaction decided first.
 */
import { readAmlConfig } from '../../shared/platform/config/aml';
import { readCaseOpenerConfig } from '../../shared/platform/config/cases';
import { readEventTimeConfig } from '../../shared/platform/config/event-time';
import { evaluateAml as evaluate } from '../../shared/use-cases/evaluate-aml';
import { pubsubWiring } from '../runtime/pubsub-wiring';

export const evaluateAml = pubsubWiring(
  'evaluateAml',
  (p, logger) => {
    const aml = readAmlConfig(p.env);
    const cases = readCaseOpenerConfig(p.env);
    logger.info('AML policy loaded', {
      policyVersion: aml.policy.version,
      policySource: aml.policySource,
      rules: aml.policy.rules.length,
      lists: aml.lists,
    });
    const eventTime = readEventTimeConfig(p.env);
    return {
      ...p,
      logger,
      policy: aml.policy,
      eventTimeMaxSkewSeconds: eventTime.maxSkewSeconds,
      cipher: p.cipher(cases.kmsKeyName),
      sla: cases.sla,
    };
  },
  (d) => ({
    // The message id names the refused delivery in the operators' alert (and its dead letter).
    'compliance.transactions.v1': (m, ctx) => evaluate(d, m, { messageId: ctx.messageId }),
  }),
);
