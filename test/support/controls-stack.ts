/**
 * checkRisk instances in separate OS processes, for the halt-propagation test and benchmark: each child serves
 * the production wiring of checkRisk (and, when asked, riskAdmin) through the Functions Framework on the local
 * platform (the Firestore and Pub/Sub emulators, DuckDB), on a port of its own, with its own memory and its own
 * Firestore client — what two Cloud Run instances of the function are. The helpers seed what a borrow needs,
 * call both functions over HTTP with local tokens and measure how long a stop takes to reach another process.
 *
 * This file is also the child's entry point: started by startControlsProcess (CONTROLS_STACK_CHILD set), it talks
 * to its parent over stdio — one `@controls {"ready":…}` line on stdout once serving; a `fault-stops on|off` line on
 * stdin makes every read of the stop state fail (or work again), the rest of Firestore untouched, and is
 * acknowledged with a line; the end of stdin (the parent closed it, or died) shuts the child down. Logs go to
 * stderr.
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { PubSub } from '@google-cloud/pubsub';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { checkRisk } from '../../functions/check-risk/wiring';
import { riskAdmin } from '../../functions/risk-admin/wiring';
import type { HttpWiring } from '../../functions/runtime/wiring';
import { LOCAL_RISK_ADMINS, LOCAL_RISK_OPERATOR } from '../../local-stack/areas/controls';
import { LocalSecrets, localPlatform } from '../../local-stack/platform';
import { FirestoreDocumentStore } from '../../shared/adapters/gcp/firestore-document-store';
import { PubSubEventBus } from '../../shared/adapters/gcp/pubsub-event-bus';
import { DuckDbWarehouse } from '../../shared/adapters/local/duckdb-warehouse';
import { FIRESTORE_COLLECTIONS } from '../../shared/contracts/firestore';
import type { PolicyScope } from '../../shared/domain/controls/policy';
import type { PreTradeRequest } from '../../shared/domain/controls/pre-trade';
import type { Position } from '../../shared/domain/risk/margin';
import { systemClock } from '../../shared/platform/clocks';
import { StructuredLogger } from '../../shared/platform/logger';
import type { DocumentStore } from '../../shared/ports/document-store';
import { TOPICS } from '../../shared/topology/topology';
import type { CheckRiskResponse } from '../../shared/use-cases/check-risk';
import { CONTROLS_COLLECTIONS } from '../../shared/use-cases/controls/controls-store';
import { MARKET_STATE, type MarketState } from '../../shared/use-cases/market-state';

const ROOT = join(__dirname, '..', '..');
const PREFIX = '@controls ';
const CHILD_ENV = 'CONTROLS_STACK_CHILD';

/** The caller checkRisk sees (locally every verified caller may call it). */
export const LENDING_CALLER = 'lending@fusion-risk.local';
export const OPERATOR = LOCAL_RISK_OPERATOR;
export const ADMINS = LOCAL_RISK_ADMINS;

// --------------------------------------------------------------------------------------------- seeding

/** Prices of the seeded portfolios' assets. */
export const SEED_PRICES: Readonly<Record<string, number>> = { BTC: 10_000, USDC: 1 };

/** The market state document computePortfolioRisk keeps, priced now: checkRisk polls it every second. */
export async function seedMarketState(store: DocumentStore, prices = SEED_PRICES): Promise<void> {
  const asOf = new Date().toISOString();
  const doc: MarketState = {
    asOf,
    tickId: asOf,
    prices: Object.fromEntries(
      Object.entries(prices).map(([asset, priceUsd]) => [asset, { priceUsd, asOf, tickId: asOf }]),
    ),
  };
  await store.set(MARKET_STATE.collection, MARKET_STATE.id, doc);
}

/**
 * A portfolio as computePortfolioRisk stores it. By default 10 BTC (100,000 USD) against 5,000 USDC borrowed,
 * health 1,900, so thousands of 1-USDC borrows fit the default policy (a pre-trade floor of 30) even while reserved.
 */
export async function seedPortfolio(
  store: DocumentStore,
  portfolioId: string,
  deskId: string,
  positions: Position[] = [
    { asset: 'BTC', amount: 10, side: 'collateral' },
    { asset: 'USDC', amount: 5000, side: 'borrow' },
  ],
): Promise<void> {
  await store.set(FIRESTORE_COLLECTIONS.risk.portfolios, portfolioId, {
    portfolioId,
    bucket: 1,
    deskId,
    updatedAt: new Date().toISOString(),
    positions,
  });
}

// ----------------------------------------------------------------------------------------- the processes

export interface ControlsProcessOptions {
  /** Names the process in errors and its request ids. */
  label: string;
  projectId: string;
  firestoreHost: string;
  pubsubHost: string;
  /** Also serve riskAdmin (its roles: the local stack's admins and operator). */
  riskAdmin?: boolean;
  /** Settings over the local ones (e.g. RISK_CHECK_STOPS_POLL_MS). */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export interface ControlsProcess {
  readonly label: string;
  readonly pid: number;
  readonly checkRiskUrl: string;
  /** Set when the process serves riskAdmin. */
  readonly riskAdminUrl?: string;
  /** From the acknowledgement on: every read of the stop state in that process fails (or works again). */
  faultStops(on: boolean): Promise<void>;
  /** Closes its stdin (it shuts down), then kills it by pid if it has not exited within 5 s. */
  stop(): Promise<void>;
  /** Its recent stderr (its logs), for failure messages. */
  logs(): string;
}

interface ChildConfig {
  projectId: string;
  firestoreHost: string;
  pubsubHost: string;
  riskAdmin: boolean;
  env: Record<string, string>;
}

type ChildMessage = { ready: { checkRisk: string; riskAdmin?: string } } | { faultStops: boolean };

/** Starts one child serving checkRisk (and riskAdmin if asked); resolves once it listens. */
export async function startControlsProcess(o: ControlsProcessOptions): Promise<ControlsProcess> {
  const config: ChildConfig = {
    projectId: o.projectId,
    firestoreHost: o.firestoreHost,
    pubsubHost: o.pubsubHost,
    riskAdmin: o.riskAdmin ?? false,
    env: o.env ?? {},
  };
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['-r', 'tsx/cjs', join(__dirname, 'controls-stack.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, [CHILD_ENV]: JSON.stringify(config), METADATA_SERVER_DETECTION: 'none' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-20_000);
  });
  // A child that could not start or is gone: reported through the messages it never sends, never thrown here.
  child.on('error', (err) => (stderr += `\n${err.message}`));
  child.stdin.on('error', () => {});
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Messages in order of arrival; each waiter takes the next one.
  const inbox: ChildMessage[] = [];
  const waiters: ((m: ChildMessage | undefined) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith(PREFIX)) return;
    const m = JSON.parse(line.slice(PREFIX.length)) as ChildMessage;
    const w = waiters.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  void exited.then(() => {
    for (const w of waiters.splice(0)) w(undefined);
  });
  const next = async (what: string, timeoutMs: number): Promise<ChildMessage> => {
    const queued = inbox.shift();
    if (queued) return queued;
    let timer: NodeJS.Timeout | undefined;
    const m = await new Promise<ChildMessage | undefined>((resolve) => {
      waiters.push(resolve);
      timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(resolve), 1);
        resolve(undefined);
      }, timeoutMs);
    }).finally(() => clearTimeout(timer));
    if (!m) {
      const why = child.exitCode !== null ? `it exited (${child.exitCode})` : `none within ${timeoutMs} ms`;
      throw new Error(`${o.label} (pid ${child.pid}): no ${what}: ${why}\n${stderr}`);
    }
    return m;
  };
  const stop = async (): Promise<void> => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  let ready: { checkRisk: string; riskAdmin?: string };
  try {
    const m = await next('ready line', o.startTimeoutMs ?? 30_000);
    if (!('ready' in m)) throw new Error(`${o.label}: expected the ready line, got ${JSON.stringify(m)}`);
    ready = m.ready;
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    label: o.label,
    pid: child.pid ?? -1,
    checkRiskUrl: ready.checkRisk,
    riskAdminUrl: ready.riskAdmin,
    faultStops: async (on) => {
      child.stdin.write(`fault-stops ${on ? 'on' : 'off'}\n`);
      const m = await next('fault acknowledgement', 5000);
      if (!('faultStops' in m) || m.faultStops !== on)
        throw new Error(`${o.label}: unexpected answer ${JSON.stringify(m)}`);
    },
    stop,
    logs: () => stderr,
  };
}

// ------------------------------------------------------------------------------------------- over HTTP

let seq = 0;

/** A request id no other process, run or call uses. */
export function requestId(label: string): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${++seq}`;
}

/** A 1-USDC borrow (or another action) with a fresh requestId. */
export function borrow(
  portfolioId: string,
  label: string,
  over: Partial<PreTradeRequest> = {},
): PreTradeRequest {
  return { requestId: requestId(label), portfolioId, action: 'borrow', asset: 'USDC', amount: 1, ...over };
}

/** checkRisk's answer (HTTP 200 for an approval and a denial alike); anything else throws. */
export async function preTrade(checkRiskUrl: string, body: PreTradeRequest): Promise<CheckRiskResponse> {
  const res = await fetch(checkRiskUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer local:${LENDING_CALLER}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const answer = (await res.json()) as unknown;
  if (res.status !== 200) throw new Error(`checkRisk answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer as CheckRiskResponse;
}

/** One riskAdmin POST as `who`; anything but 200 throws. */
export async function adminPost(
  riskAdminUrl: string,
  path: string,
  who: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${riskAdminUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer local:${who}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const answer = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200)
    throw new Error(`riskAdmin ${path} answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Loosening takes two admins: the first requests ACTIVE, the second approves. */
export async function releaseStop(riskAdminUrl: string, scope: PolicyScope, reason: string): Promise<void> {
  await adminPost(riskAdminUrl, '/stops/release-requests', ADMINS[0], { scope, target: 'ACTIVE', reason });
  await adminPost(riskAdminUrl, '/stops/release-approvals', ADMINS[1], { scope, reason });
}

/**
 * Sends requests one after another (each with a fresh requestId) until an answer satisfies `until`; returns it
 * and when it arrived (performance.now()). Throws after timeoutMs with the last answer.
 */
export async function pollUntil(
  checkRiskUrl: string,
  make: () => PreTradeRequest,
  until: (r: CheckRiskResponse) => boolean,
  timeoutMs: number,
): Promise<{ response: CheckRiskResponse; at: number; requests: number }> {
  const deadline = performance.now() + timeoutMs;
  let last: CheckRiskResponse | undefined;
  for (let requests = 1; ; requests++) {
    last = await preTrade(checkRiskUrl, make());
    const at = performance.now();
    if (until(last)) return { response: last, at, requests };
    if (at > deadline)
      throw new Error(`no satisfying answer within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
  }
}

export const isStopDenial = (r: CheckRiskResponse): boolean =>
  r.decision === 'DENY' && r.reasons.some((x) => x.code === 'STOPPED');

export interface HaltMeasurement {
  /** The admin call's own time: request sent to response received. */
  engageMs: number;
  /** Engage response received to the first STOPPED denial received from the other process. */
  propagationMs: number;
  /** Requests the other process answered until it denied. */
  requests: number;
  denial: CheckRiskResponse;
}

/**
 * Engages HALTED on `scope` through riskAdmin and, from the moment its response arrives, sends borrows on
 * `portfolioId` (in that scope) to another process's checkRisk one after another until one is denied with the
 * stop: the propagation time as the platform would see it.
 */
export async function measureHalt(o: {
  riskAdminUrl: string;
  checkRiskUrl: string;
  scope: PolicyScope;
  portfolioId: string;
  reason: string;
  label: string;
  timeoutMs?: number;
}): Promise<HaltMeasurement> {
  const sent = performance.now();
  const engaged = await adminPost(o.riskAdminUrl, '/stops/engage', OPERATOR, {
    scope: o.scope,
    state: 'HALTED',
    reason: o.reason,
  });
  const respondedAt = performance.now();
  if (engaged.changed !== true) throw new Error(`engage changed nothing: ${JSON.stringify(engaged)}`);
  const denied = await pollUntil(
    o.checkRiskUrl,
    () => borrow(o.portfolioId, o.label),
    isStopDenial,
    o.timeoutMs ?? 5000,
  );
  return {
    engageMs: respondedAt - sent,
    propagationMs: denied.at - respondedAt,
    requests: denied.requests,
    denial: denied.response,
  };
}

// ------------------------------------------------------------------------------------------- the child

/** Reads of the stop state fail while `fault.stops` is set; everything else reaches Firestore. */
function withStopFault(store: DocumentStore, fault: { stops: boolean }): DocumentStore {
  return {
    get: (c, id) => store.get(c, id),
    getMany: (c, ids) => store.getMany(c, ids),
    set: (c, id, data) => store.set(c, id, data),
    createIfAbsent: (c, id, data) => store.createIfAbsent(c, id, data),
    appendIfAbsent: (c, id, data, field) => store.appendIfAbsent(c, id, data, field),
    readAfter: (c, field, after, limit, settleMs) => store.readAfter(c, field, after, limit, settleMs),
    readLatest: (c, field, limit, settleMs) => store.readLatest(c, field, limit, settleMs),
    query: (c, filters) =>
      fault.stops && c === CONTROLS_COLLECTIONS.stops
        ? Promise.reject(new Error('injected fault: the stop state cannot be read'))
        : store.query(c, filters),
    runTransaction: (fn) => store.runTransaction(fn),
  };
}

async function serveChild(config: ChildConfig): Promise<void> {
  const say = (m: ChildMessage) => process.stdout.write(`${PREFIX}${JSON.stringify(m)}\n`);
  const logger = new StructuredLogger({
    projectId: config.projectId,
    minSeverity: 'WARNING',
    sink: (line) => process.stderr.write(line + '\n'),
  });
  const firestore = new FirestoreDocumentStore({
    projectId: config.projectId,
    emulatorHost: config.firestoreHost,
  });
  const fault = { stops: false };
  const bus = new PubSubEventBus({ projectId: config.projectId, apiEndpoint: config.pubsubHost });
  const warehouse = await DuckDbWarehouse.open(':memory:');
  if (config.riskAdmin) {
    // riskAdmin publishes STOP_CHANGED on alerts.risk.v1 before it answers: the topics must exist.
    const pubsub = new PubSub({
      projectId: config.projectId,
      apiEndpoint: config.pubsubHost,
      emulatorMode: true,
    });
    for (const t of TOPICS)
      await pubsub.createTopic(t).catch((err: { code?: number }) => {
        if (err.code !== 6) throw err; // 6 = ALREADY_EXISTS
      });
    await pubsub.close();
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ENVIRONMENT: 'local',
    GOOGLE_CLOUD_PROJECT: config.projectId,
    WAREHOUSE: 'duckdb',
    RISK_ADMINS: LOCAL_RISK_ADMINS.join(','),
    RISK_OPERATORS: LOCAL_RISK_OPERATOR,
    ...config.env,
  };
  const platform = localPlatform({
    env,
    bus,
    store: withStopFault(firestore, fault),
    warehouse,
    secrets: new LocalSecrets(),
    clock: systemClock,
    logger,
  });
  const wirings: HttpWiring[] = config.riskAdmin ? [checkRisk, riskAdmin] : [checkRisk];
  const servers: Server[] = [];
  const urls: Record<string, string> = {};
  for (const w of wirings) {
    ff.http(
      w.name,
      w.serve(async () => platform),
    );
    const server = getTestServer(w.name);
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
    servers.push(server);
    urls[w.name] = `http://127.0.0.1:${port}`;
  }

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(0), 3000).unref();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    await Promise.allSettled([firestore.close(), bus.close(), warehouse.close()]);
    process.exit(0);
  };
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    const m = /^fault-stops (on|off)$/.exec(line.trim());
    if (!m) return;
    fault.stops = m[1] === 'on';
    say({ faultStops: fault.stops });
  });
  input.on('close', () => void shutdown());
  say({ ready: { checkRisk: urls.checkRisk, ...(urls.riskAdmin ? { riskAdmin: urls.riskAdmin } : {}) } });
}

if (require.main === module && process.env[CHILD_ENV]) {
  serveChild(JSON.parse(process.env[CHILD_ENV]) as ChildConfig).catch((err: unknown) => {
    process.stderr.write(`controls-stack child failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
