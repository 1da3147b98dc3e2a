/**
 * complianceCases over real HTTP on the Firestore emulator and DuckDB, its cases opened by the real AML path
 * (evaluateAml: a sanctioned counterparty raises a screening hit that joins the customer's case, the screened
 * name encrypted), as test/integration/cases/compliance-cases.emulator.test.ts runs it; riskApi beside it (the
 * dashboard's header stream); and the built dashboard served with casesApiUrl, both APIs allowing its origin.
 * The cases URL carries the load balancer's /compliance-cases prefix, which the function strips.
 */
import { startDashboardServer, type DashboardServer } from '../../../local-stack/dashboard-server';
import { freePort } from '../../../local-stack/emulators';
import { LocalSecrets, localPlatform } from '../../../local-stack/platform';
import { complianceCases } from '../../../functions/compliance-cases/wiring';
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import type { AmlTransaction } from '../../../shared/domain/aml/window';
import { systemClock } from '../../../shared/platform/clocks';
import { readAmlConfig } from '../../../shared/platform/config/aml';
import { StructuredLogger } from '../../../shared/platform/logger';
import { CASE_COLLECTIONS, type CaseDoc } from '../../../shared/use-cases/cases/case-store';
import { evaluateAml } from '../../../shared/use-cases/evaluate-aml';
import { CapturingSink } from '../../support/capturing-sink';
import { emulatorHosts, isolatedProjectId } from '../../support/env';
import { serveHttpFunction, type ServedFunction } from '../../support/http-function-server';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { serveRiskApi, stopRiskApi, type ServedApi } from '../../support/risk-api-server';
import { buildDashboard } from './build-dashboard';
import { rmSync } from 'node:fs';

export const OFFICER = 'ann@bank.test';
export const OTHER_OFFICER = 'bob@bank.test';
export const SENIOR = 'sue@bank.test';
export const AUDITOR = 'aud@bank.test';
export const SCREENED = 'Garantex Europa OU';

export const CASES_ROLES = `${OFFICER}=officer;${OTHER_OFFICER}=officer;${SENIOR}=senior_officer|officer;${AUDITOR}=auditor`;

export class CasesStack {
  dashboard!: DashboardServer;
  casesUrl!: string;
  distDir = '';
  private cases: ServedFunction | undefined;
  private api: ServedApi | undefined;
  private store!: FirestoreDocumentStore;
  private warehouse!: DuckDbWarehouse;
  private platform!: ReturnType<typeof localPlatform>;
  private readonly bus = new MemoryEventBus();
  private readonly logger = new StructuredLogger({ sink: new CapturingSink().sink });
  private label = '';
  private serial = 0;

  async start(label: string, dashboardConfig: Record<string, unknown> = {}): Promise<void> {
    this.label = label;
    const [distDir, dashboardPort] = await Promise.all([buildDashboard(), freePort()]);
    this.distDir = distDir;
    const origin = `http://127.0.0.1:${dashboardPort}`;
    this.store = new FirestoreDocumentStore({
      projectId: isolatedProjectId(label),
      emulatorHost: emulatorHosts().firestoreHost,
    });
    this.warehouse = await DuckDbWarehouse.open();
    this.platform = localPlatform({
      env: {
        ENVIRONMENT: 'local',
        COMPLIANCE_CASES_ROLES: CASES_ROLES,
        COMPLIANCE_CASES_ALLOWED_ORIGINS: origin,
        RISK_API_ALLOWED_ORIGINS: origin,
        RISK_API_RATE_BURST: '10000',
        RISK_API_RATE_PER_MINUTE: '10000',
        RISK_API_HEARTBEAT_MS: '300',
        RISK_API_STREAM_POLL_MS: '200',
      },
      bus: this.bus,
      store: this.store,
      warehouse: this.warehouse,
      secrets: new LocalSecrets(),
      clock: systemClock,
      logger: this.logger,
    });
    this.cases = await serveHttpFunction(complianceCases, this.platform);
    this.api = await serveRiskApi(this.platform);
    this.casesUrl = `${this.cases.url}/compliance-cases`;
    this.dashboard = await startDashboardServer({
      distDir: this.distDir,
      port: dashboardPort,
      config: {
        apiBaseUrl: this.api.url,
        auth: 'local',
        deskId: 'default',
        staleAfterSeconds: 900,
        reconnectMaxMs: 1000,
        casesApiUrl: this.casesUrl,
        ...dashboardConfig,
      },
    });
  }

  /**
   * A transaction to a sanctioned counterparty through evaluateAml: its screening hit opens a case for `userId`
   * (CRITICAL: 4 h to a decision, at risk after 3 h). Returns the case.
   */
  async openCase(userId: string): Promise<CaseDoc> {
    const tx: AmlTransaction = {
      transactionId: `tx-${this.label}-${this.serial++}`,
      userId,
      accountOpenedAt: '2024-01-15T09:00:00Z',
      type: 'WITHDRAWAL',
      channel: 'CRYPTO',
      amount: '2500',
      currency: 'USDT',
      amountUsd: 2500,
      customerCountry: 'US',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      counterparty: { name: SCREENED, kind: 'entity', country: 'EE' },
    };
    await evaluateAml(
      {
        store: this.store,
        bus: this.bus,
        warehouse: this.warehouse,
        clock: systemClock,
        logger: this.logger,
        policy: readAmlConfig({}).policy,
        cipher: this.platform.cipher(undefined),
      },
      tx,
    );
    const found = await this.store.query<CaseDoc>(CASE_COLLECTIONS.cases, [
      { field: 'subjectId', op: '==', value: userId },
    ]);
    if (found.length !== 1) throw new Error(`expected one case for ${userId}, found ${found.length}`);
    return found[0].data;
  }

  /**
   * Moves a case's clock back by `ms`, as if its concern had been detected that long ago (the SLA counts from
   * detection, which evaluateAml stamps now): its deadline and at-risk time with it.
   */
  async age(caseId: string, ms: number): Promise<void> {
    const c = await this.caseDoc(caseId);
    if (!c) throw new Error(`no case ${caseId}`);
    const back = (iso: string) => new Date(Date.parse(iso) - ms).toISOString();
    await this.store.set(CASE_COLLECTIONS.cases, caseId, {
      ...c,
      openedAt: back(c.openedAt),
      dueAt: back(c.dueAt),
      atRiskAt: back(c.atRiskAt),
    });
  }

  async caseDoc(caseId: string): Promise<CaseDoc | undefined> {
    return this.store.get<CaseDoc>(CASE_COLLECTIONS.cases, caseId);
  }

  async stop(): Promise<void> {
    await this.cases?.close();
    if (this.api) await stopRiskApi(this.api);
    await this.dashboard?.close();
    await this.store?.close();
    await this.warehouse?.close();
    if (this.distDir) rmSync(this.distDir, { recursive: true, force: true });
  }
}
