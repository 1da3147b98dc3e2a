/**
 * complianceCases — HTTP (internet-facing, authenticated in the function): the compliance officers' case tool.
 * GET /me, /cases (the queue), /cases/{id} (personal=true decrypts, audited), /cases/{id}/trail (export),
 * /cases/{id}/verify, /metrics; POST /cases/{id}/actions and /cases/bulk. Browsers call it from the dashboard's
 * origin, so it answers CORS preflights itself and checks the Google ID token here. It is the one function that
 * may decrypt with the KYC key. Contract: schemas/openapi/compliance-cases.json.
 */
import { randomUUID } from 'node:crypto';
import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';
import { verifierFor, type TokenVerifier } from '../../shared/adapters/identity/id-token-verifiers';
import { SchemaViolation, validate } from '../../shared/contracts/validation';
import type { Actor } from '../../shared/domain/cases/case-state';
import { readComplianceCasesConfig } from '../../shared/platform/config/cases';
import {
  act,
  actorOf,
  bulk,
  exportTrail,
  getCase,
  getQueue,
  isOutcome,
  me,
  metrics,
  verifyCase,
  type CaseApiError,
  type CasesApiDeps,
  type Outcome,
} from '../../shared/use-cases/cases/compliance-cases';
import { answerCors, queryOf } from '../runtime/browser-api';
import { httpWiring } from '../runtime/http-wiring';

export interface ComplianceCasesHttpDeps extends CasesApiDeps {
  verifier: TokenVerifier;
  allowedOrigins: readonly string[];
}

function fail(res: Response, status: number, body: CaseApiError): void {
  res.status(status).set('Cache-Control', 'no-store').json(body);
}

function reply<T>(res: Response, o: Outcome<T>): void {
  if (o.kind === 'ok') res.status(200).set('Cache-Control', 'no-store').json(o.body);
  else fail(res, o.status, o.body);
}

/** The caller's request id when it is a sane token (it lands in the trail), else a fresh one. */
function requestIdOf(req: Request): string {
  const given = req.get('x-request-id');
  return given && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

type Handler = (
  d: ComplianceCasesHttpDeps,
  a: Actor,
  req: Request,
  res: Response,
  requestId: string,
) => Promise<void>;
interface Route {
  method: 'GET' | 'POST';
  handle: Handler;
}

function segment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // fails the case id check with a 400
  }
}

function body<T>(req: Request, res: Response, schema: Parameters<typeof validate>[0]): T | undefined {
  if (!req.is('application/json') || typeof req.body !== 'object' || req.body === null) {
    fail(res, 415, {
      error: 'the body must be a JSON object (Content-Type: application/json)',
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    return undefined;
  }
  try {
    return validate(schema, req.body) as T;
  } catch (err) {
    if (!(err instanceof SchemaViolation)) throw err;
    fail(res, 400, { error: 'invalid request body', code: 'INVALID_REQUEST', problems: err.problems });
    return undefined;
  }
}

function route(path: string): Route | undefined {
  let m: RegExpExecArray | null;
  if (/^\/me\/?$/.test(path)) return { method: 'GET', handle: async (d, a, _q, res) => reply(res, me(d, a)) };
  if (/^\/metrics\/?$/.test(path))
    return { method: 'GET', handle: async (d, _a, req, res) => reply(res, await metrics(d, queryOf(req))) };
  if (/^\/cases\/?$/.test(path))
    return {
      method: 'GET',
      handle: async (d, a, req, res) => reply(res, await getQueue(d, a, queryOf(req))),
    };
  if (/^\/cases\/bulk\/?$/.test(path))
    return {
      method: 'POST',
      handle: async (d, a, req, res, rid) => {
        const b = body<Parameters<typeof bulk>[2]>(req, res, 'api/case-bulk-request');
        if (b) reply(res, await bulk(d, a, b, rid));
      },
    };
  if ((m = /^\/cases\/([^/]+)\/actions\/?$/.exec(path))) {
    const id = segment(m[1]);
    return {
      method: 'POST',
      handle: async (d, a, req, res, rid) => {
        const b = body<Parameters<typeof act>[3]>(req, res, 'api/case-action-request');
        if (b) reply(res, await act(d, a, id, b, rid));
      },
    };
  }
  if ((m = /^\/cases\/([^/]+)\/trail\/?$/.exec(path))) {
    const id = segment(m[1]);
    return { method: 'GET', handle: async (d, _a, _q, res) => reply(res, await exportTrail(d, id)) };
  }
  if ((m = /^\/cases\/([^/]+)\/verify\/?$/.exec(path))) {
    const id = segment(m[1]);
    return { method: 'GET', handle: async (d, _a, _q, res) => reply(res, await verifyCase(d, id)) };
  }
  if ((m = /^\/cases\/([^/]+)\/?$/.exec(path))) {
    const id = segment(m[1]);
    return {
      method: 'GET',
      handle: async (d, a, req, res, rid) => reply(res, await getCase(d, a, id, queryOf(req), rid)),
    };
  }
  return undefined;
}

export function complianceCasesHttp(deps: () => Promise<ComplianceCasesHttpDeps>): HttpFunction {
  return async (req, res) => {
    let d: ComplianceCasesHttpDeps | undefined;
    try {
      d = await deps();
      if (
        answerCors(req, res, {
          allowedOrigins: d.allowedOrigins,
          methods: 'GET, POST',
          headers: 'Authorization, Content-Type, X-Request-Id',
        })
      )
        return;
      // Authentication first: an anonymous caller learns nothing, not even which paths exist.
      const principal = await d.verifier.verify(req.get('authorization'));
      if (!principal) {
        res.set('WWW-Authenticate', 'Bearer');
        return fail(res, 401, {
          error: 'a valid identity token is required (Authorization: Bearer <token>)',
          code: 'UNAUTHENTICATED',
        });
      }
      const actor = actorOf(d, principal);
      if (isOutcome(actor)) return reply(res, actor);
      // Behind the load balancer the function's folder prefixes every path.
      const r = route(req.path.replace(/^\/compliance-cases(?=\/|$)/, ''));
      if (!r)
        return fail(res, 404, {
          error: 'unknown path: see /me, /cases, /cases/{id}, /cases/bulk and /metrics',
          code: 'NOT_FOUND',
        });
      if (req.method !== r.method) {
        res.set('Allow', r.method);
        return fail(res, 405, { error: `use ${r.method}`, code: 'METHOD_NOT_ALLOWED' });
      }
      await r.handle(d, actor, req, res, requestIdOf(req));
    } catch (err) {
      d?.logger.error('compliance case request failed', { error: err });
      if (!res.headersSent)
        fail(res, 503, { error: 'temporarily unavailable: retry the request', code: 'UNAVAILABLE' });
    }
  };
}

export const complianceCases = httpWiring(
  'complianceCases',
  (p, logger): ComplianceCasesHttpDeps => {
    const c = readComplianceCasesConfig(p.env);
    return {
      store: p.store,
      clock: p.clock,
      warehouse: p.warehouse,
      logger,
      cipher: p.cipher(c.kmsKeyName),
      sla: c.sla,
      roles: c.roles,
      auditorsSeePersonalData: c.auditorsSeePersonalData,
      verifier: verifierFor(c),
      allowedOrigins: c.allowedOrigins,
    };
  },
  complianceCasesHttp,
);
