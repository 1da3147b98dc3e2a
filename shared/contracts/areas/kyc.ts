/** Schemas of the KYC area (Persona webhooks, KYC cases). Merged into SCHEMAS by schema-registry.ts. */
import kycEvent from '../../../schemas/messages/kyc.events.v1.json';
import startKycRequest from '../../../schemas/inputs/persona-start-kyc.json';
import webhookEvent from '../../../schemas/inputs/persona-webhook-event.json';
import kycEventRow from '../../../schemas/warehouse/compliance.kyc_events.json';

export const KYC_SCHEMAS = {
  'messages/kyc.events.v1': kycEvent,
  'inputs/persona-webhook-event': webhookEvent,
  'inputs/persona-start-kyc': startKycRequest,
  'warehouse/compliance.kyc_events': kycEventRow,
} as const;

/** Warehouse tables of this area (each one a schemas/warehouse/<table>.json registered above). */
export type KycTable = 'compliance.kyc_events';
