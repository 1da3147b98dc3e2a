/** evaluateAml — Pub/Sub push: compliance.transactions.v1 → amlAlerts + compliance.aml_alerts + alerts.aml.v1. */
import * as ff from '@google-cloud/functions-framework';
import { amlRuntime } from '../../shared/platform/config-aml';
import { platformDeps } from '../../shared/platform/production-deps';
import { lazyPubSubFunction, type DeliveryObserver } from '../../shared/platform/pubsub-handler';
import { evaluateAml, type AmlDeps } from '../../shared/use-cases/evaluate-aml';

export function evaluateAmlHandler(deps: () => Promise<AmlDeps>, observe?: DeliveryObserver) {
  return lazyPubSubFunction(
    'evaluateAml',
    deps,
    (d) => ({
      'compliance.transactions.v1': (m) => evaluateAml(d, m),
    }),
    observe,
  );
}

ff.cloudEvent(
  'evaluateAml',
  evaluateAmlHandler(async () => {
    const platform = await platformDeps('evaluateAml');
    const aml = amlRuntime();
    platform.logger.info('AML policy loaded', {
      policyVersion: aml.policy.version,
      policySource: aml.policySource,
      rules: aml.policy.rules.length,
      lists: aml.lists,
    });
    return { ...platform, policy: aml.policy };
  }),
);
