/**
 * riskApi over real HTTP on the Firestore emulator and DuckDB, fed by the real risk path (evaluateBatch →
 * detectMarginEvents → recordAlert), as test/integration/views/risk-api.emulator.test.ts runs it; plus the
 * built dashboard served by local-stack/dashboard-server with riskApi allowing its origin.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboardServer, type DashboardServer } from '../../../local-stack/dashboard-server';
import { freePort } from '../../../local-stack/emulators';
import { LocalSecrets, localPlatform } from '../../../local-stack/platform';
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import { systemClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import { FEED_SETTLE_MS } from '../../../shared/use-cases/alert-feed';
import type { PortfolioDoc } from '../../../shared/use-cases/compute-portfolio-risk';
import { RiskFeed, tickAt } from '../../support/risk-feed';
import { CapturingSink } from '../../support/capturing-sink';
import { emulatorHosts, isolatedProjectId } from '../../support/env';
import { serveRiskApi, stopRiskApi, type ServedApi } from '../../support/risk-api-server';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { buildDashboard } from './build-dashboard';

type Position = PortfolioDoc['positions'][number];

const DAY = 86_400_000;
export const MANAGER = 'risk-manager@fusion-risk.local';

export { tickAt };

export function portfolio(id: string, positions: Position[], deskId = 'default'): PortfolioDoc {
  return {
    portfolioId: id,
    bucket: 0,
    deskId,
    updatedAt: new Date(Date.now() - DAY).toISOString(),
    positions,
  };
}

export const held = (asset: string, amount: number): Position => ({ asset, amount, side: 'collateral' });
export const owed = (asset: string, amount: number): Position => ({ asset, amount, side: 'borrow' });

export class RiskStack {
  private feed!: RiskFeed;

  /** Margin alerts recorded in the feed, in order. */
  get recorded(): { alertId: string; deskId: string | undefined }[] {
    return this.feed.recorded;
  }
  dashboard!: DashboardServer;
  apiUrl!: string;
  private api: ServedApi | undefined;
  private apiPort = 0;
  private distDir = '';
  private store!: FirestoreDocumentStore;
  private warehouse!: DuckDbWarehouse;
  private platform!: ReturnType<typeof localPlatform>;
  private readonly logger = new StructuredLogger({ sink: new CapturingSink().sink });
  private archiveDir = '';

  async start(label: string, dashboardConfig: Record<string, unknown> = {}): Promise<void> {
    this.distDir = await buildDashboard();
    this.apiPort = await freePort();
    this.apiUrl = `http://127.0.0.1:${this.apiPort}`;
    this.dashboard = await startDashboardServer({
      distDir: this.distDir,
      config: {
        apiBaseUrl: this.apiUrl,
        auth: 'local',
        deskId: 'default',
        staleAfterSeconds: 900,
        reconnectMaxMs: 1000,
        ...dashboardConfig,
      },
    });
    this.store = new FirestoreDocumentStore({
      projectId: isolatedProjectId(label),
      emulatorHost: emulatorHosts().firestoreHost,
    });
    this.warehouse = await DuckDbWarehouse.open();
    this.archiveDir = mkdtempSync(join(tmpdir(), 'dashboard-archive-'));
    this.feed = new RiskFeed(this.store, this.warehouse, this.logger, this.archiveDir);
    this.platform = localPlatform({
      env: {
        ENVIRONMENT: 'local',
        RISK_API_ALLOWED_ORIGINS: this.dashboard.url,
        RISK_API_RATE_BURST: '10000',
        RISK_API_RATE_PER_MINUTE: '10000',
        RISK_API_HEARTBEAT_MS: '300',
        RISK_API_STREAM_POLL_MS: '100',
      },
      bus: new MemoryEventBus(),
      store: this.store,
      warehouse: this.warehouse,
      secrets: new LocalSecrets(),
      clock: systemClock,
      logger: this.logger,
    });
    await this.startApi();
  }

  /** riskApi on its port (the same one after a restart, as a redeployed service keeps its URL). */
  async startApi(): Promise<void> {
    this.api = await serveRiskApi(this.platform, this.apiPort);
  }

  async stopApi(): Promise<void> {
    const api = this.api;
    this.api = undefined;
    if (api) await stopRiskApi(api);
  }

  /** Values `docs` at `tick` with the real risk path, keeps their views, and records their margin alerts. */
  runRisk(docs: PortfolioDoc[], tick: { tickId: string; asOf: string }, prices: Record<string, number>) {
    return this.feed.run(docs, tick, prices);
  }

  /** Alerts are served once settled. */
  async settle(): Promise<void> {
    await new Promise((r) => setTimeout(r, FEED_SETTLE_MS + 200));
  }

  async stop(): Promise<void> {
    await this.stopApi();
    await this.dashboard?.close();
    await this.store?.close();
    await this.warehouse?.close();
    if (this.distDir) rmSync(this.distDir, { recursive: true, force: true });
    if (this.archiveDir) rmSync(this.archiveDir, { recursive: true, force: true });
  }
}
