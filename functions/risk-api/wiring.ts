/**
 * riskApi — HTTP (internet-facing, authenticated in the function): the risk desk's read API. GET
 * /desks/{deskId}, /portfolios/{portfolioId}, /portfolios/{portfolioId}/exposure-history, /alerts and /stream
 * (server-sent events). Browsers call it from the dashboard's origin, so it answers CORS preflights itself: a
 * browser cannot pass an IAM-protected function's preflight, which is why the ID token is checked here and not by
 * Cloud Run. Contract: schemas/openapi/risk-api.json.
 */
import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';
import { verifierFor, type TokenVerifier } from '../../shared/adapters/identity/id-token-verifiers';
import type { ApiError } from '../../shared/contracts/schema-types';
import { ALL_DESKS, readRiskApiConfig, type RiskApiConfig } from '../../shared/platform/config/risk-api';
import type { Principal } from '../../shared/ports/caller-identity';
import { CallerRateLimiter } from '../../shared/use-cases/caller-rate-limit';
import {
  alertFilter,
  cursorRefusal,
  getDeskOverview,
  getExposureHistory,
  getPortfolio,
  isOutcome,
  listAlerts,
  type ApiOutcome,
  type DeskAccess,
  type RiskApiDeps,
} from '../../shared/use-cases/risk-api';
import {
  CursorError,
  runStream,
  streamStart,
  type EventSink,
  type StreamEvent,
} from '../../shared/use-cases/risk-stream';
import { answerCors, queryOf } from '../runtime/browser-api';
import { httpWiring } from '../runtime/http-wiring';
import { systemClock } from '../../shared/platform/clocks';

export interface RiskApiHttpDeps extends RiskApiDeps {
  verifier: TokenVerifier;
  limiter: CallerRateLimiter;
  config: Pick<RiskApiConfig, 'allowedOrigins' | 'streamPollMs' | 'heartbeatMs' | 'streamMaxMs'>;
}

export function deskAccessOf(c: Pick<RiskApiConfig, 'access' | 'openAccess'>): DeskAccess {
  const desks = (p: Principal) => c.access.get(p.id);
  return {
    readsAll: (p) => c.openAccess || (desks(p)?.has(ALL_DESKS) ?? false),
    canRead: (p, deskId) =>
      c.openAccess || (desks(p)?.has(ALL_DESKS) ?? false) || (desks(p)?.has(deskId) ?? false),
  };
}

function fail(res: Response, status: number, body: ApiError): void {
  if (body.retryAfterSeconds !== undefined) res.set('Retry-After', String(Math.ceil(body.retryAfterSeconds)));
  res.status(status).json(body);
}

function reply<T>(res: Response, o: ApiOutcome<T>): void {
  if (o.kind === 'ok') res.status(200).set('Cache-Control', 'no-store').json(o.body);
  else fail(res, o.status, o.body);
}

type Route = (d: RiskApiHttpDeps, p: Principal, req: Request, res: Response) => Promise<void>;

const DESK = /^\/desks\/([^/]+)\/?$/;
const PORTFOLIO = /^\/portfolios\/([^/]+)\/?$/;
const HISTORY = /^\/portfolios\/([^/]+)\/exposure-history\/?$/;

function segment(m: RegExpExecArray): string {
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1]; // malformed escapes fail the id check with a 400
  }
}

function route(path: string): Route | undefined {
  let m: RegExpExecArray | null;
  if ((m = DESK.exec(path))) {
    const id = segment(m);
    return async (d, p, req, res) => reply(res, await getDeskOverview(d, p, id, queryOf(req)));
  }
  if ((m = HISTORY.exec(path))) {
    const id = segment(m);
    return async (d, p, _req, res) => reply(res, await getExposureHistory(d, p, id));
  }
  if ((m = PORTFOLIO.exec(path))) {
    const id = segment(m);
    return async (d, p, _req, res) => reply(res, await getPortfolio(d, p, id));
  }
  if (/^\/alerts\/?$/.test(path))
    return async (d, p, req, res) => reply(res, await listAlerts(d, p, queryOf(req)));
  if (/^\/stream\/?$/.test(path)) return stream;
  return undefined;
}

function frame(e: StreamEvent): string {
  return `event: ${e.event}\n${e.id !== undefined ? `id: ${e.id}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`;
}

/** Server-sent events over a plain response: everything is checked before the 200 goes out. */
const stream: Route = async (d, p, req, res) => {
  const q = queryOf(req);
  const problems: string[] = [];
  const filter = alertFilter(d, p, q, problems);
  if (isOutcome(filter)) return reply(res, filter);
  const header = req.get('last-event-id');
  const given =
    header !== undefined && header !== '' ? header : typeof q.cursor === 'string' ? q.cursor : undefined;
  let start: string;
  try {
    start = streamStart(d, given);
  } catch (err) {
    if (err instanceof CursorError) return reply(res, cursorRefusal(err));
    throw err;
  }
  let closed = false;
  let wake: (() => void) | undefined;
  // The response's close, not the request's: a request emits 'close' as soon as its (empty) body is read.
  res.on('close', () => {
    closed = true;
    wake?.();
  });
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store, no-transform',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write('retry: 1000\n\n');
  const sink: EventSink = {
    get closed() {
      return closed;
    },
    send: async (e) => {
      if (!closed && !res.write(frame(e))) await new Promise<void>((r) => res.once('drain', () => r()));
    },
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  try {
    await runStream(d, p, filter, start, sink, {
      pollMs: d.config.streamPollMs,
      heartbeatMs: d.config.heartbeatMs,
      maxMs: d.config.streamMaxMs,
      sleep,
    });
  } catch (err) {
    // Headers are out: the client sees the stream end and resumes from its last id.
    d.logger.error('alert stream failed', { error: err });
  }
  res.end();
};

export function riskApiHttp(deps: () => Promise<RiskApiHttpDeps>): HttpFunction {
  return async (req, res) => {
    let d: RiskApiHttpDeps | undefined;
    try {
      d = await deps();
      if (
        answerCors(req, res, {
          allowedOrigins: d.config.allowedOrigins,
          methods: 'GET',
          headers: 'Authorization, Last-Event-ID, Accept',
          expose: 'Retry-After',
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
      const limit = d.limiter.take(principal.id, d.clock.now().getTime());
      if (!limit.allowed)
        return fail(res, 429, {
          error: 'too many requests: slow down',
          code: 'RATE_LIMITED',
          retryAfterSeconds: limit.retryAfterSeconds,
        });
      // Behind the load balancer the function's folder prefixes every path (modules/edge routes /risk-api/*).
      const r = route(req.path.replace(/^\/risk-api(?=\/|$)/, ''));
      if (!r)
        return fail(res, 404, {
          error: 'unknown path: see /desks, /portfolios, /alerts and /stream',
          code: 'NOT_FOUND',
        });
      if (req.method !== 'GET') {
        res.set('Allow', 'GET');
        return fail(res, 405, { error: 'use GET', code: 'METHOD_NOT_ALLOWED' });
      }
      await r(d, principal, req, res);
    } catch (err) {
      d?.logger.error('risk api request failed', { error: err });
      if (!res.headersSent) fail(res, 500, { error: 'internal error: retry the request', code: 'INTERNAL' });
      else res.end();
    }
  };
}

export const riskApi = httpWiring(
  'riskApi',
  (p, logger): RiskApiHttpDeps => {
    const c = readRiskApiConfig(p.env);
    return {
      store: p.store,
      warehouse: p.warehouse,
      // Feed cursors are the store's commit times, so they are judged by the wall clock, never by a replay clock.
      clock: systemClock,
      logger,
      access: deskAccessOf(c),
      shock: c.shock,
      verifier: verifierFor(c),
      limiter: new CallerRateLimiter(c.ratePerMinute, c.rateBurst),
      config: c,
    };
  },
  riskApiHttp,
);
