/**
 * Any HTTP function through its deployed wiring on a real port, as the integration tests call it: each call
 * registers a fresh function (a restarted server holds nothing of the old one's memory).
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { Server } from 'node:http';
import type { HttpWiring } from '../../functions/runtime/wiring';
import type { FunctionName } from '../../shared/topology/topology';
import type { Platform } from '../../shared/ports/platform';

export interface ServedFunction {
  url: string;
  server: Server;
  close(): Promise<void>;
}

let serial = 0;

/** Serves the function on `port` (0: any free one; a restarted server can take its old port back). */
export async function serveHttpFunction<N extends FunctionName>(
  wiring: HttpWiring<N>,
  platform: Platform,
  port = 0,
): Promise<ServedFunction & { port: number }> {
  const name = `${wiring.name}-test-${serial++}`;
  ff.http(
    name,
    wiring.serve(async () => platform),
  );
  const server = getTestServer(name);
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
