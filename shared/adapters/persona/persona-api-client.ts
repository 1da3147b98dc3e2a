/**
 * Persona's REST API over fetch: create an inquiry (POST /api/v1/inquiries with an Idempotency-Key) and
 * fetch one (GET /api/v1/inquiries/{id}). Responses are JSON:API in the requested key inflection (kebab);
 * keys are normalised to camelCase. 429, 5xx, timeouts and network errors are transient (RetryableError);
 * other 4xx are permanent (a wrong template id or API key will not heal by retrying).
 */
import { camelizeKeys } from '../../domain/kyc/inflection';
import type { CreateInquiryInput, PersonaInquiry, PersonaInquiryApi } from '../../ports/persona-inquiry-api';
import { PermanentError, RetryableError } from '../../platform/errors';

export interface PersonaApiClientOptions {
  baseUrl: string;
  /** Read on every call so a rotated key is picked up with the secret store's cache. */
  apiKey: () => Promise<string>;
  version?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface JsonApiInquiry {
  data?: { id?: unknown; type?: unknown; attributes?: Record<string, unknown> };
  errors?: { title?: string; detail?: string }[];
}

export class PersonaApiClient implements PersonaInquiryApi {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: PersonaApiClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  async createInquiry(input: CreateInquiryInput): Promise<PersonaInquiry> {
    const body = {
      data: {
        attributes: { 'inquiry-template-id': input.templateId, 'reference-id': input.referenceId },
      },
    };
    return this.call('POST', '/api/v1/inquiries', body, { 'Idempotency-Key': input.idempotencyKey });
  }

  async getInquiry(inquiryId: string): Promise<PersonaInquiry> {
    if (!/^inq_[A-Za-z0-9]+$/.test(inquiryId)) throw new PermanentError(`not an inquiry id: ${inquiryId}`);
    return this.call('GET', `/api/v1/inquiries/${inquiryId}`);
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<PersonaInquiry> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${await this.options.apiKey()}`,
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'Key-Inflection': 'kebab',
      ...(this.options.version ? { 'Persona-Version': this.options.version } : {}),
      ...extraHeaders,
    };
    let res: Response;
    try {
      res = await this.fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new RetryableError(`Persona ${method} ${path} failed: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (res.status === 429 || res.status >= 500)
      throw new RetryableError(`Persona ${method} ${path} answered ${res.status}`);
    let json: JsonApiInquiry;
    try {
      json = camelizeKeys(JSON.parse(text)) as JsonApiInquiry;
    } catch {
      throw new RetryableError(
        `Persona ${method} ${path} answered ${res.status} with a body that is not JSON`,
      );
    }
    if (!res.ok) {
      const why = json.errors?.[0]?.title ?? json.errors?.[0]?.detail ?? '';
      throw new PermanentError(
        `Persona ${method} ${path} answered ${res.status} ${why}`.trim(),
        'persona-refused',
      );
    }
    return inquiryFrom(json, `${method} ${path}`);
  }
}

function inquiryFrom(json: JsonApiInquiry, what: string): PersonaInquiry {
  const d = json.data;
  const a = d?.attributes ?? {};
  if (typeof d?.id !== 'string' || !d.id.startsWith('inq_') || typeof a.status !== 'string')
    throw new RetryableError(`Persona ${what}: response is not an inquiry`);
  return {
    id: d.id,
    status: a.status,
    referenceId: typeof a.referenceId === 'string' ? a.referenceId : null,
    ...(typeof a.createdAt === 'string' ? { createdAt: a.createdAt } : {}),
  };
}
