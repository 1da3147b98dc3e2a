/**
 * The HTTP face of a Cloud Scheduler job: POST (Scheduler) or GET (an operator), dependencies from the
 * cold-start factory, the outcome as JSON. 500 when the job threw or reports a failure, so Scheduler retries
 * per its retry config and the function error-rate alert sees it; the jobs are idempotent, so retries are safe.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import type { Logger } from '../../ports/logger';

export function scheduledJobHttp<D extends { logger: Logger }, R>(
  job: string,
  deps: () => Promise<D>,
  run: (d: D) => Promise<R>,
  failed: (outcome: R) => boolean = () => false,
): HttpFunction {
  return async (req, res) => {
    if (req.method !== 'POST' && req.method !== 'GET') {
      res.status(405).json({ error: 'use POST (Cloud Scheduler) or GET' });
      return;
    }
    let d: D | undefined;
    try {
      d = await deps();
      const outcome = await run(d);
      res.status(failed(outcome) ? 500 : 200).json(outcome);
    } catch (err) {
      d?.logger.error(`${job} failed`, { error: err });
      res.status(500).json({ error: `${job} failed` });
    }
  };
}
