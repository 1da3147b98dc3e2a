/** Schemas of the AML area (transactions, policy, alerts). Merged into SCHEMAS by schema-registry.ts. */
import amlPolicy from '../../../schemas/inputs/aml-policy.json';
import amlAlert from '../../../schemas/messages/alerts.aml.v1.json';
import transaction from '../../../schemas/messages/compliance.transactions.v1.json';
import amlAlertRow from '../../../schemas/warehouse/compliance.aml_alerts.json';

export const AML_SCHEMAS = {
  'messages/compliance.transactions.v1': transaction,
  'messages/alerts.aml.v1': amlAlert,
  'inputs/aml-policy': amlPolicy,
  'warehouse/compliance.aml_alerts': amlAlertRow,
} as const;

/** Warehouse tables of this area (each one a schemas/warehouse/<table>.json registered above). */
export type AmlTable = 'compliance.aml_alerts';
