/**
 * checkRisk — HTTP (private, service-to-service): the lending platform's pre-trade check. 200 with the decision
 * for an approval and a denial alike (a denial is an answer); 400 for an invalid body, 401 without a valid
 * Google ID token, 403 for a caller not in RISK_CHECK_CALLERS. Anything else is 503, which the platform must
 * treat as a denial: nothing here ever answers APPROVE by default.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { verifierFor } from '../../shared/adapters/identity/id-token-verifiers';
import { SchemaViolation, validate } from '../../shared/contracts/validation';
import { readCheckRiskConfig } from '../../shared/platform/config/controls';
import { readRiskConfig } from '../../shared/platform/config/risk';
import type { TokenVerifier } from '../../shared/ports/caller-identity';
import type { Logger } from '../../shared/ports/logger';
import { checkRisk as check, RecentDecisions, type CheckRiskDeps } from '../../shared/use-cases/check-risk';
import { announceStopTransition } from '../../shared/use-cases/controls/announcements';
import { ControlsState } from '../../shared/use-cases/controls/controls-state';
import { DecisionRecorder } from '../../shared/use-cases/controls/decision-recorder';
import { KeyedQueue } from '../../shared/platform/keyed-queue';
import { verifiedCaller } from '../runtime/http-request';
import { httpWiring } from '../runtime/http-wiring';

export type CheckRiskHttpDeps = CheckRiskDeps & {
  verifier: TokenVerifier;
  /** Empty: every verified caller (local only; the configuration refuses it elsewhere). */
  callers: ReadonlySet<string>;
  logger: Logger;
};

export function checkRiskHttp(deps: () => Promise<CheckRiskHttpDeps>): HttpFunction {
  return async (req, res) => {
    if (req.method !== 'POST') {
      res.status(405).json({ error: 'use POST' });
      return;
    }
    let d: CheckRiskHttpDeps | undefined;
    try {
      d = await deps();
      const caller = await verifiedCaller(req, res, d.verifier);
      if (!caller) return;
      if (d.callers.size > 0 && !d.callers.has(caller.id)) {
        res.status(403).json({ error: `${caller.id} may not call checkRisk` });
        return;
      }
      const request = validate('inputs/check-risk-request', req.body);
      const outcome = await check(d, request, caller.id);
      res.status(200).json(outcome.response);
    } catch (err) {
      if (err instanceof SchemaViolation) {
        res.status(400).json({ error: 'invalid request', problems: err.problems });
      } else {
        d?.logger.error('checkRisk failed', { error: err });
        res.status(503).json({ error: 'temporarily unavailable: treat as denied' });
      }
    }
  };
}

export const checkRisk = httpWiring(
  'checkRisk',
  async (p, logger): Promise<CheckRiskHttpDeps> => {
    const config = readCheckRiskConfig(p.env);
    const risk = readRiskConfig(p.env);
    const controls = new ControlsState(p.store, p.clock, logger, {
      stopsPollMs: config.stopsPollMs,
      stopsMaxStalenessMs: config.stopsMaxStalenessMs,
      pricesPollMs: config.pricesPollMs,
      policyRefreshMs: config.policyRefreshMs,
      risk,
    });
    // The first load happens before the first answer; from then on, timers keep the state fresh.
    await controls.start();
    // A breaker tripped by denials halts its scope; the halt is announced to the risk desk like any other.
    const recorder = new DecisionRecorder(p.store, p.warehouse, p.clock, logger, (t) =>
      announceStopTransition({ bus: p.bus, warehouse: p.warehouse, logger }, t),
    );
    recorder.start();
    // Cloud Run sends SIGTERM (with CPU) before it stops an instance: write what is still queued.
    if (p.env.K_SERVICE) process.once('SIGTERM', () => void recorder.close());
    return {
      store: p.store,
      clock: p.clock,
      logger,
      controls,
      recorder,
      memory: new RecentDecisions(),
      reservationMs: config.reservationMs,
      storeTimeoutMs: config.storeTimeoutMs,
      portfolios: new KeyedQueue(),
      verifier: verifierFor(config),
      callers: new Set(config.callers),
    };
  },
  checkRiskHttp,
);
