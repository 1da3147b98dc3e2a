/**
 * An HTTP function whose configuration is refused at cold start answers 500 and says why in the logs: before the
 * dependencies exist there is no handler logger, so the wiring logs on the function's own logger.
 */
import { getTestServer } from '@google-cloud/functions-framework/testing';
import * as ff from '@google-cloud/functions-framework';
import { ingestPrices } from '../../functions/ingest-prices/wiring';
import { testPlatform } from '../support/test-platform';

describe('a refused configuration at cold start', () => {
  it('answers 500 and logs every problem on the function’s logger, then tries again on the next request', async () => {
    const platform = testPlatform({
      env: { ENVIRONMENT: 'local', PRICE_FEEDS_JSON: '{"assets": []}', PRICE_FEEDS_PATH: '/nowhere.json' },
    });
    ff.http(
      'ingestPrices-refused',
      ingestPrices.serve(async () => platform),
    );
    const server = getTestServer('ingestPrices-refused');
    const post = async () => {
      const res = await new Promise<{ status: number }>((resolve, reject) => {
        server.listen(0, '127.0.0.1', async () => {
          try {
            const port = (server.address() as { port: number }).port;
            const r = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST' });
            await r.text();
            resolve({ status: r.status });
          } catch (err) {
            reject(err as Error);
          } finally {
            server.close();
          }
        });
      });
      return res.status;
    };
    expect(await post()).toBe(500);
    expect(await post()).toBe(500);
    const refused = platform.sink
      .entries()
      .filter((r) => r.message === 'function could not start: its dependencies were refused');
    // Once per request: a failed cold start is not cached, and each attempt says why.
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({ severity: 'ERROR', functionName: 'ingestPrices' });
    expect(JSON.stringify(refused[0])).toContain('PRICE_FEEDS_PATH');
  });
});
