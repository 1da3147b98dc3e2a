/**
 * A small typed client of complianceCases (schemas/openapi/compliance-cases.json): the session's bearer token in
 * the Authorization header, JSON both ways, and every refusal as a CasesApiError carrying the API's code. A 401
 * is the SDK's AuthenticationError, so the app signs out as it does for riskApi. Never retries: an action sent
 * twice could be applied twice; a stale one is the officer's to reload.
 */
import { AuthenticationError } from '../../sdk/src/errors.js';
import type {
  CaseActionRequest,
  CaseApiError,
  CaseBulkRequest,
  CaseBulkResult,
  CaseQueuePage,
  CaseSummary,
  CaseToolMe,
  CaseView,
} from '../../sdk/src/generated/api-types.js';

export type CasesErrorCode = CaseApiError['code'] | 'CONNECTION_FAILED' | 'INVALID_RESPONSE';

export class CasesApiError extends Error {
  override name = 'CasesApiError';
  constructor(
    readonly status: number,
    readonly code: CasesErrorCode,
    message: string,
    readonly problems: string[] = [],
    readonly currentVersion?: number,
  ) {
    super(message);
  }

  /** The case changed since it was read (not INVALID_TRANSITION, also a 409). */
  get isConflict(): boolean {
    return this.code === 'CONFLICT';
  }
}

export class CasesClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly token: () => string,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  me(): Promise<CaseToolMe> {
    return this.call('GET', '/me');
  }

  /** `query` from queueQuery(): "?status=…&cursor=…". */
  queue(query: string): Promise<CaseQueuePage> {
    return this.call('GET', `/cases${query}`);
  }

  /** personal: decrypts the screened names and note texts, and the API records the view on the trail first. */
  getCase(caseId: string, personal = false): Promise<CaseView> {
    return this.call('GET', `/cases/${encodeURIComponent(caseId)}${personal ? '?personal=true' : ''}`);
  }

  act(caseId: string, body: CaseActionRequest): Promise<CaseSummary> {
    return this.call('POST', `/cases/${encodeURIComponent(caseId)}/actions`, body);
  }

  bulk(body: CaseBulkRequest): Promise<CaseBulkResult> {
    return this.call('POST', '/cases/bulk', body);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const url = `${this.base}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${this.token()}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (cause) {
      throw new CasesApiError(
        0,
        'CONNECTION_FAILED',
        `the case tool could not be reached (${String(cause)})`,
      );
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new CasesApiError(
        res.status,
        'INVALID_RESPONSE',
        `the case tool answered ${res.status} without JSON`,
      );
    }
    if (res.ok) return json as T;
    const e = (json ?? {}) as Partial<CaseApiError>;
    const message = typeof e.error === 'string' ? e.error : `HTTP ${res.status}`;
    if (res.status === 401)
      throw new AuthenticationError(message, { status: 401, code: 'UNAUTHENTICATED', requestUrl: url });
    throw new CasesApiError(
      res.status,
      typeof e.code === 'string' ? e.code : 'INVALID_RESPONSE',
      message,
      Array.isArray(e.problems) ? e.problems : [],
      typeof e.currentVersion === 'number' ? e.currentVersion : undefined,
    );
  }
}
