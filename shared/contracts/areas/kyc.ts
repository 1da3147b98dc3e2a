/** Schemas of the KYC area (Persona webhooks, KYC cases). Merged into SCHEMAS by schema-registry.ts. */
import kycEvent from '../../../schemas/messages/kyc.events.v1.json';

export const KYC_SCHEMAS = {
  'messages/kyc.events.v1': kycEvent,
} as const;

/** Warehouse tables of this area (each one a schemas/warehouse/<table>.json registered above). */
export type KycTable = never;
