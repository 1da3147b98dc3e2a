/**
 * riskApi through its deployed wiring on a real HTTP port, as tests of the API, the SDK and the dashboard serve it:
 * each call registers a fresh function (a restarted server holds nothing of the old one's memory).
 */
import type { Server } from 'node:http';
import { riskApi } from '../../functions/risk-api/wiring';
import type { Platform } from '../../shared/ports/platform';
import { serveHttpFunction, type ServedFunction } from './http-function-server';

export interface ServedApi {
  url: string;
  port: number;
  server: Server;
  close: ServedFunction['close'];
}

/** Serves riskApi on `port` (0: any free one). */
export async function serveRiskApi(platform: Platform, port = 0): Promise<ServedApi> {
  return serveHttpFunction(riskApi, platform, port);
}

/** Stops it at once, open streams included (a crash, as far as clients can tell). */
export async function stopRiskApi(s: ServedApi): Promise<void> {
  await s.close();
}
