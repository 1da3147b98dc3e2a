/** Schemas of the AML area (transactions, policy, alerts). Merged into SCHEMAS by schema-registry.ts. */
import amlAlert from '../../../schemas/messages/alerts.aml.v1.json';
import transaction from '../../../schemas/messages/compliance.transactions.v1.json';

export const AML_SCHEMAS = {
  'messages/compliance.transactions.v1': transaction,
  'messages/alerts.aml.v1': amlAlert,
} as const;

/** Warehouse tables of this area (each one a schemas/warehouse/<table>.json registered above). */
export type AmlTable = never;
