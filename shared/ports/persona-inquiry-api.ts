/** What the KYC use cases need from Persona's REST API (the adapter lives in shared/adapters/persona). */
export interface PersonaInquiry {
  id: string;
  status: string;
  referenceId: string | null;
  createdAt?: string;
}

export interface CreateInquiryInput {
  templateId: string;
  referenceId: string;
  /** Persona returns the inquiry of the first request for a repeated key instead of creating another. */
  idempotencyKey: string;
}

export interface PersonaInquiryApi {
  createInquiry(input: CreateInquiryInput): Promise<PersonaInquiry>;
  getInquiry(inquiryId: string): Promise<PersonaInquiry>;
}
