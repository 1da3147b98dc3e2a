/**
 * screenTransaction — HTTP (private, service-to-service): the lending platform's AML check before it executes a
 * transaction. 200 with allow / review / block; anything that is not a decision answers `decision: "hold"` with a
 * status that is never 200 — 400 for a body it cannot read, 422 for a transaction dated in the future, 401/403 for
 * callers, 503 when it failed — so no error can be mistaken for allow. Contract: schemas/openapi/screen-transaction.json.
 */
import type { HttpFunction, Response } from '@google-cloud/functions-framework';
import { verifierFor } from '../../shared/adapters/identity/id-token-verifiers';
import type { SchemaTypes } from '../../shared/contracts/schema-types';
import { SchemaViolation, validate } from '../../shared/contracts/validation';
import { readAmlConfig } from '../../shared/platform/config/aml';
import { readEventTimeConfig } from '../../shared/platform/config/event-time';
import { readScreenTransactionConfig } from '../../shared/platform/config/screen-transaction';
import { PermanentError } from '../../shared/platform/errors';
import type { TokenVerifier } from '../../shared/ports/caller-identity';
import type { AmlDeps } from '../../shared/use-cases/aml-evaluation';
import { EVENT_TIME_IN_FUTURE, EVENT_TIME_INVALID } from '../../shared/use-cases/event-time-guard';
import { screenTransaction as screen } from '../../shared/use-cases/screen-transaction';
import { httpWiring } from '../runtime/http-wiring';

type Hold = SchemaTypes['api/screen-transaction-hold'];

export type ScreenTransactionHttpDeps = AmlDeps & {
  verifier: TokenVerifier;
  /** Empty: every verified caller (local only; the configuration refuses it elsewhere). */
  callers: ReadonlySet<string>;
};

function hold(res: Response, status: number, body: Omit<Hold, 'decision'>): void {
  res.status(status).json({ decision: 'hold', ...body } satisfies Hold);
}

export function screenTransactionHttp(deps: () => Promise<ScreenTransactionHttpDeps>): HttpFunction {
  return async (req, res) => {
    if (req.method !== 'POST')
      return hold(res.set('Allow', 'POST'), 405, { code: 'METHOD_NOT_ALLOWED', error: 'use POST' });
    let d: ScreenTransactionHttpDeps | undefined;
    try {
      d = await deps();
      const caller = await d.verifier.verify(req.get('authorization'));
      if (!caller)
        return hold(res.set('WWW-Authenticate', 'Bearer'), 401, {
          code: 'UNAUTHENTICATED',
          error: 'a valid identity token is required (Authorization: Bearer <token>)',
        });
      if (d.callers.size > 0 && !d.callers.has(caller.id))
        return hold(res, 403, { code: 'FORBIDDEN', error: `${caller.id} may not call screenTransaction` });
      if (!req.is('application/json') || typeof req.body !== 'object' || req.body === null)
        return hold(res, 415, {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          error: 'the body must be a JSON object (Content-Type: application/json)',
        });
      const tx = validate('messages/compliance.transactions.v1', req.body);
      const screened = await screen(d, tx);
      res.status(200).json(screened.response);
      // After the answer: delivery is not on the platform's path (the sweep covers an instance that stops here).
      await screened.handOff();
    } catch (err) {
      if (err instanceof SchemaViolation)
        return hold(res, 400, {
          code: 'INVALID_REQUEST',
          error: 'invalid transaction',
          problems: err.problems,
        });
      if (
        err instanceof PermanentError &&
        (err.reason === EVENT_TIME_IN_FUTURE || err.reason === EVENT_TIME_INVALID)
      )
        return hold(res, 422, { code: 'EVENT_TIME_IN_FUTURE', error: err.message });
      d?.logger.error('screenTransaction failed', { error: err });
      hold(res, 503, { code: 'UNAVAILABLE', error: 'could not decide: hold the transaction and retry' });
    }
  };
}

export const screenTransaction = httpWiring(
  'screenTransaction',
  async (p, logger): Promise<ScreenTransactionHttpDeps> => {
    const config = readScreenTransactionConfig(p.env);
    const aml = readAmlConfig(p.env);
    logger.info('AML policy loaded', { policyVersion: aml.policy.version, rules: aml.policy.rules.length });
    return {
      ...p,
      logger,
      policy: aml.policy,
      eventTimeMaxSkewSeconds: readEventTimeConfig(p.env).maxSkewSeconds,
      cipher: p.cipher(config.kmsKeyName),
      sla: config.sla,
      verifier: verifierFor(config),
      callers: new Set(config.callers),
    };
  },
  screenTransactionHttp,
);
