/**
 * A local Persona speaking its REST API for inquiries: `POST /api/v1/inquiries` (Bearer API key, JSON:API
 * body in kebab, camel or snake keys, Idempotency-Key honoured: a repeated key returns the first inquiry)
 * and `GET /api/v1/inquiries/{id}`, answering in kebab-case. The inquiry lifecycle is driven by advance(),
 * which also produces the webhook event Persona would send; onEvent (set by the wiring) delivers it.
 */
import type { Clock } from '../../shared/ports/clock';
import { camelizeKeys } from '../../shared/domain/kyc/inflection';
import { listen, sendJson, type RunningServer } from './http-server';
import { personaId, personaInquiryEvent, statusAfter, type InquiryState } from './persona-events';

export interface PersonaApiServerOptions {
  clock: Clock;
  apiKey: string;
  port?: number;
}

export interface PersonaApiStats {
  created: number;
  idempotentReplays: number;
  fetched: number;
  unauthorized: number;
}

interface CreateBody {
  data?: { attributes?: { inquiryTemplateId?: unknown; referenceId?: unknown } };
}

export class PersonaApiServer {
  readonly inquiries = new Map<string, InquiryState>();
  readonly stats: PersonaApiStats = { created: 0, idempotentReplays: 0, fetched: 0, unauthorized: 0 };
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Resolves once every webhook the server has started sending on its own (inquiry.created) was answered. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }
  /** Every event advance() produced, in order. */
  readonly events: Record<string, unknown>[] = [];
  /** Called with each event as Persona would send it (the wiring points it at personaWebhook). */
  onEvent?: (event: Record<string, unknown>) => Promise<void>;
  private readonly byKey = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server?: RunningServer;

  constructor(private readonly options: PersonaApiServerOptions) {}

  get url(): string {
    if (!this.server) throw new Error('persona api server not started');
    return this.server.url;
  }

  async start(): Promise<this> {
    this.server = await listen(
      (req, res, body) => this.handle(req.method ?? '', req.url ?? '', req.headers, body, res),
      {
        port: this.options.port,
        timers: this.timers,
      },
    );
    return this;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  /** Moves an inquiry on (inquiry.started, .completed, .approved, ...) and emits the event. */
  async advance(
    inquiryId: string,
    eventName: string,
    personal?: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const inquiry = this.inquiries.get(inquiryId);
    if (!inquiry) throw new Error(`no inquiry ${inquiryId}`);
    const status = statusAfter(eventName);
    if (status) inquiry.status = status;
    if (personal) inquiry.personal = { ...inquiry.personal, ...personal };
    return this.emit(eventName, inquiry);
  }

  private async emit(
    name: string,
    inquiry: InquiryState,
    at = this.options.clock.now().toISOString(),
  ): Promise<Record<string, unknown>> {
    const event = personaInquiryEvent({ name, createdAt: at, inquiry });
    this.events.push(event);
    await this.onEvent?.(event);
    return event;
  }

  private async handle(
    method: string,
    url: string,
    headers: Record<string, string | string[] | undefined>,
    body: string,
    res: Parameters<typeof sendJson>[0],
  ): Promise<void> {
    if (headers.authorization !== `Bearer ${this.options.apiKey}`) {
      this.stats.unauthorized++;
      return sendJson(res, 401, { errors: [{ title: 'Must be authenticated to access this endpoint' }] });
    }
    const path = url.split('?')[0];
    if (method === 'POST' && path === '/api/v1/inquiries') return this.create(headers, body, res);
    const m = /^\/api\/v1\/inquiries\/(inq_[A-Za-z0-9]+)$/.exec(path);
    if (method === 'GET' && m) {
      const inquiry = this.inquiries.get(m[1]);
      if (!inquiry) return sendJson(res, 404, { errors: [{ title: 'Record not found' }] });
      this.stats.fetched++;
      return sendJson(res, 200, wire(inquiry));
    }
    sendJson(res, 404, { errors: [{ title: 'Not found' }] });
  }

  private async create(
    headers: Record<string, string | string[] | undefined>,
    body: string,
    res: Parameters<typeof sendJson>[0],
  ): Promise<void> {
    if (!String(headers['content-type'] ?? '').startsWith('application/json'))
      return sendJson(res, 415, { errors: [{ title: 'Content-Type must be application/json' }] });
    let parsed: CreateBody;
    try {
      parsed = camelizeKeys(JSON.parse(body)) as CreateBody;
    } catch {
      return sendJson(res, 400, { errors: [{ title: 'Invalid JSON' }] });
    }
    const a = parsed.data?.attributes ?? {};
    if (typeof a.inquiryTemplateId !== 'string' || !a.inquiryTemplateId.startsWith('itmpl_'))
      return sendJson(res, 422, { errors: [{ title: 'inquiry-template-id is invalid' }] });
    const key = typeof headers['idempotency-key'] === 'string' ? headers['idempotency-key'] : undefined;
    const earlier = key ? this.byKey.get(key) : undefined;
    if (earlier) {
      this.stats.idempotentReplays++;
      return sendJson(res, 200, wire(this.inquiries.get(earlier) as InquiryState));
    }
    const inquiry: InquiryState = {
      id: personaId('inq'),
      status: 'created',
      referenceId: typeof a.referenceId === 'string' ? a.referenceId : null,
      templateId: a.inquiryTemplateId,
      createdAt: this.options.clock.now().toISOString(),
    };
    this.inquiries.set(inquiry.id, inquiry);
    if (key) this.byKey.set(key, inquiry.id);
    this.stats.created++;
    sendJson(res, 201, wire(inquiry));
    // The answer is out; the webhook follows, as Persona's does (a failed delivery is the sender's to report),
    // dated when the inquiry was created, and tracked so a scenario can wait for it before its next step.
    const delivery = this.emit('inquiry.created', inquiry, inquiry.createdAt).catch(() => undefined);
    this.inFlight.add(delivery);
    await delivery.finally(() => this.inFlight.delete(delivery));
  }
}

function wire(i: InquiryState): Record<string, unknown> {
  return {
    data: {
      type: 'inquiry',
      id: i.id,
      attributes: { status: i.status, 'reference-id': i.referenceId, 'created-at': i.createdAt },
      relationships: { 'inquiry-template': { data: { type: 'inquiry-template', id: i.templateId } } },
    },
    included: [],
    meta: {},
  };
}

export async function startPersonaApiServer(options: PersonaApiServerOptions): Promise<PersonaApiServer> {
  return new PersonaApiServer(options).start();
}
