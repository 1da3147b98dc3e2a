/**
 * riskApi through its deployed wiring on a real HTTP port, as tests of the API, the SDK and the dashboard serve it:
 * each call registers a fresh function (a restarted server holds nothing of the old one's memory).
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { Server } from 'node:http';
import { riskApi } from '../../functions/risk-api/wiring';
import type { Platform } from '../../shared/ports/platform';

export interface ServedApi {
  url: string;
  port: number;
  server: Server;
}

let serial = 0;

/** Serves riskApi on `port` (0: any free one). */
export async function serveRiskApi(platform: Platform, port = 0): Promise<ServedApi> {
  const name = `riskApi-test-${serial++}`;
  ff.http(
    name,
    riskApi.serve(async () => platform),
  );
  const server = getTestServer(name);
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  return { url: `http://127.0.0.1:${bound}`, port: bound, server };
}

/** Stops it at once, open streams included (a crash, as far as clients can tell). */
export async function stopRiskApi(s: ServedApi): Promise<void> {
  s.server.closeAllConnections();
  await new Promise((r) => s.server.close(r));
}
