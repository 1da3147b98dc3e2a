/**
 * riskAdmin — HTTP (private): risk policies and the kill switch, for the desk's risk administrators and
 * operators. GET /policies, GET|PUT /policies/{policyId}, GET /stops, POST /stops/engage,
 * POST /stops/release-requests, POST /stops/release-approvals. Authenticated by a Google ID token (a local
 * token on the local stack); roles from RISK_ADMINS and RISK_OPERATORS.
 */
import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';
import { verifierFor, type TokenVerifier } from '../../shared/adapters/identity/id-token-verifiers';
import { readRiskAdminConfig } from '../../shared/platform/config/controls';
import type { Principal } from '../../shared/ports/caller-identity';
import {
  approveStopRelease,
  engageStop,
  getPolicy,
  listPolicies,
  listStops,
  putPolicy,
  requestStopRelease,
  type RiskAdminDeps,
  type RiskAdminOutcome,
} from '../../shared/use-cases/risk-admin';
import { hasJsonObjectBody, verifiedCaller } from '../runtime/http-request';
import { httpWiring } from '../runtime/http-wiring';

export type RiskAdminHttpDeps = RiskAdminDeps & { verifier: TokenVerifier };

/** The use case's outcome as an HTTP answer. */
function reply(res: Response, o: RiskAdminOutcome): void {
  switch (o.kind) {
    case 'ok':
      res.status(200).json(o.body);
      return;
    case 'invalid':
      res.status(400).json({ error: 'invalid request', problems: o.problems });
      return;
    case 'forbidden':
      res.status(403).json({ error: `this needs a caller listed in ${o.need}` });
      return;
    case 'not-found':
      res.status(404).json({ error: `${o.what} not found` });
      return;
    case 'conflict':
      res.status(409).json({
        error: o.message,
        code: o.code,
        ...(o.currentVersion !== undefined ? { currentVersion: o.currentVersion } : {}),
      });
      return;
    case 'incomplete':
      res.status(500).json({ error: o.message, auditId: o.auditId, retry: 'repeat the same request' });
      return;
  }
}

type Route = (d: RiskAdminDeps, p: Principal, req: Request) => Promise<RiskAdminOutcome>;

const POLICY = /^\/policies\/([^/]+)\/?$/;

/** The route for a method and path, or the methods the path allows (405), or undefined (404). */
function route(req: Request): Route | { allow: string } | undefined {
  const path = req.path;
  const m = req.method;
  const one = POLICY.exec(path);
  if (/^\/policies\/?$/.test(path)) return m === 'GET' ? (d, p) => listPolicies(d, p) : { allow: 'GET' };
  if (one) {
    const id = decodeURIComponent(one[1]);
    if (m === 'GET') return (d, p) => getPolicy(d, p, id);
    if (m === 'PUT') return (d, p, r) => putPolicy(d, p, id, r.body);
    return { allow: 'GET, PUT' };
  }
  if (/^\/stops\/?$/.test(path)) return m === 'GET' ? (d, p) => listStops(d, p) : { allow: 'GET' };
  const post = (fn: Route): Route | { allow: string } => (m === 'POST' ? fn : { allow: 'POST' });
  if (/^\/stops\/engage\/?$/.test(path)) return post((d, p, r) => engageStop(d, p, r.body));
  if (/^\/stops\/release-requests\/?$/.test(path)) return post((d, p, r) => requestStopRelease(d, p, r.body));
  if (/^\/stops\/release-approvals\/?$/.test(path))
    return post((d, p, r) => approveStopRelease(d, p, r.body));
  return undefined;
}

export function riskAdminHttp(deps: () => Promise<RiskAdminHttpDeps>): HttpFunction {
  return async (req, res) => {
    let d: RiskAdminHttpDeps | undefined;
    try {
      d = await deps();
      // Authentication first: an anonymous caller learns nothing, not even which paths exist.
      const principal = await verifiedCaller(req, res, d.verifier);
      if (!principal) return;
      const r = route(req);
      if (!r) {
        res.status(404).json({ error: 'unknown path: see /policies and /stops' });
        return;
      }
      if ('allow' in r) {
        res
          .set('Allow', r.allow)
          .status(405)
          .json({ error: `use ${r.allow}` });
        return;
      }
      if (req.method !== 'GET' && !hasJsonObjectBody(req, res)) return;
      reply(res, await r(d, principal, req));
    } catch (err) {
      d?.logger.error('risk admin request failed', { error: err });
      res.status(500).json({ error: 'internal error: retry the same request' });
    }
  };
}

export const riskAdmin = httpWiring(
  'riskAdmin',
  (p, logger): RiskAdminHttpDeps => {
    const c = readRiskAdminConfig(p.env);
    return {
      store: p.store,
      bus: p.bus,
      warehouse: p.warehouse,
      clock: p.clock,
      logger,
      admins: c.admins,
      operators: c.operators,
      verifier: verifierFor(c),
    };
  },
  riskAdminHttp,
);
