/**
 * What every authenticated HTTP function checks the same way before its routes: a verified caller (401 with
 * `WWW-Authenticate: Bearer` otherwise) and, for requests with a body, a JSON object (415 otherwise). Each
 * writes its refusal and answers undefined / false, so a handler returns at once.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import type { Principal, TokenVerifier } from '../../shared/ports/caller-identity';

export async function verifiedCaller(
  req: Request,
  res: Response,
  verifier: TokenVerifier,
): Promise<Principal | undefined> {
  const caller = await verifier.verify(req.get('authorization'));
  if (!caller)
    res
      .set('WWW-Authenticate', 'Bearer')
      .status(401)
      .json({ error: 'a valid identity token is required (Authorization: Bearer <token>)' });
  return caller;
}

export function hasJsonObjectBody(req: Request, res: Response): boolean {
  if (req.is('application/json') && typeof req.body === 'object' && req.body !== null) return true;
  res.status(415).json({ error: 'the body must be a JSON object (Content-Type: application/json)' });
  return false;
}
