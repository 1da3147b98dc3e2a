/**
 * The local GCP stack: topics and push subscriptions (with dead-letter policies) created on the Pub/Sub
 * emulator from shared/contracts/topology.json, Firestore on its emulator, DuckDB as the warehouse, and every
 * function served by @google-cloud/functions-framework on its own port, receiving pushes exactly as Cloud
 * Run receives them. Chainlink and Pyth are local servers speaking their wire formats, fed by real history.
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { PubSub } from '@google-cloud/pubsub';
import type { Server } from 'node:http';
import { WIRINGS } from '../functions/registry';
import { FirestoreDocumentStore } from '../shared/adapters/gcp/firestore-document-store';
import { PubSubEventBus } from '../shared/adapters/gcp/pubsub-event-bus';
import { DuckDbWarehouse } from '../shared/adapters/local/duckdb-warehouse';
import { readPriceSourcesConfig } from '../shared/platform/config/prices';
import type { Clock } from '../shared/ports/clock';
import type { DocumentStore } from '../shared/ports/document-store';
import type { EventBus } from '../shared/ports/event-bus';
import type { Logger } from '../shared/ports/logger';
import type { Warehouse } from '../shared/ports/warehouse';
import { StructuredLogger } from '../shared/platform/logger';
import { SUBSCRIPTIONS, TOPICS, type FunctionName } from '../shared/topology/topology';
import { FlowMeter } from './flow-meter';
import { LocalSecrets, localPlatform } from './platform';
import {
  startChainlinkRpcServer,
  type ChainlinkHistorySpec,
  chainlinkFeedSpecs,
  type PriceFunction,
} from './providers/chainlink-rpc-server';
import type { ChaosOptions } from './providers/chaos';
import { startPythHermesServer, pythFeedSpecs } from './providers/pyth-hermes-server';
import { startAmlArea, type AmlServices } from './areas/aml';
import { startControlsArea, type ControlsServices } from './areas/controls';
import { startKycArea, type KycServices } from './areas/kyc';
import { startNotificationsArea, type NotificationsServices } from './areas/notifications';
import { startOperationsArea, type OperationsServices } from './areas/operations';
import { startViewsArea, type ViewsServices } from './areas/views';
import { startCasesArea, type CasesServices } from './areas/cases';
import type { AreaContext, LocalArea } from './areas/types';

export interface LocalStackOptions {
  projectId: string;
  pubsubHost: string;
  firestoreHost: string;
  clock: Clock;
  /** Prices the local Chainlink and Pyth servers serve (e.g. real historical closes). */
  prices: PriceFunction;
  /**
   * Settings the functions read, over the stack's own (e.g. PRICE_ASSETS, RISK_SHARD_COUNT, NOTIFY_*): the same
   * variables a deployment sets. The shell's environment is read first, so AML_POLICY_PATH and peers work too.
   */
  env?: Record<string, string>;
  chaos?: { chainlink?: ChaosOptions; pyth?: ChaosOptions };
  /** First port for the function servers; 0 (default) picks free ports. */
  functionPortBase?: number;
  logger?: Logger;
  warehousePath?: string;
  /**
   * Areas whose functions and local servers are wired (default: all). The risk-pipeline benchmark measures the
   * risk path alone, as it runs on its own instances in the cloud, rather than sharing two cores with them.
   */
  areas?: readonly AreaName[];
  /** Fault-injection seam for tests: wraps the warehouse every function uses. */
  wrapWarehouse?: (w: Warehouse) => Warehouse;
  /** Gives the local Chainlink node a past (rounds, a proxy upgrade) for backfillCloses to walk; none by default. */
  chainlinkHistory?: ChainlinkHistorySpec;
}

export interface LocalStack {
  projectId: string;
  meter: FlowMeter;
  bus: EventBus;
  store: DocumentStore;
  warehouse: Warehouse;
  pubsub: PubSub;
  /** URL of every function served locally (all of the topology once every area is wired). */
  functionUrls: Partial<Record<FunctionName, string>>;
  /** Local provider servers and other handles of each area, for scenarios and tests (empty for an area left out). */
  areas: {
    kyc: KycServices;
    aml: AmlServices;
    notifications: NotificationsServices;
    operations: OperationsServices;
    controls: ControlsServices;
    views: ViewsServices;
    cases: CasesServices;
  };
  /** What Cloud Scheduler does every minute: POST to ingestPrices. */
  tick(): Promise<{ status: number; body: unknown }>;
  /** What an operator does after deploying (and Scheduler daily): POST to backfillCloses. */
  backfill(): Promise<{ status: number; body: unknown }>;
  /** Resolves once no invocation is running and none started or finished for quietMs (rejects after timeoutMs). */
  settle(quietMs?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Local retry backoff: attempts and dead-lettering come from the topology; only the waits are shortened. */
const LOCAL_RETRY = { minimumBackoff: { seconds: 0, nanos: 200_000_000 }, maximumBackoff: { seconds: 2 } };

export const DEAD_LETTER_INSPECT = 'dead-letter.v1.inspect';

export const AREAS = ['kyc', 'aml', 'notifications', 'operations', 'controls', 'views', 'cases'] as const;
export type AreaName = (typeof AREAS)[number];

/**
 * The risk core, always served: price → risk → margin event → alert, and the pre-trade check (checkRisk builds its
 * state and starts polling only at its first request).
 */
const CORE: FunctionName[] = [
  'ingestPrices',
  'backfillCloses',
  'computePortfolioRisk',
  'detectMarginEvents',
  'checkRisk',
];

async function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

export async function startLocalStack(o: LocalStackOptions): Promise<LocalStack> {
  // No metadata server exists locally; without this the Google clients probe for one and warn.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const meter = new FlowMeter();
  const logger = o.logger ?? new StructuredLogger({ projectId: o.projectId, minSeverity: 'WARNING' });
  const { PubSub } = await import('@google-cloud/pubsub');
  const pubsub = new PubSub({ projectId: o.projectId, apiEndpoint: o.pubsubHost, emulatorMode: true });
  const rawBus = new PubSubEventBus({ projectId: o.projectId, apiEndpoint: o.pubsubHost });
  const bus = meter.meterBus(rawBus);
  const store = new FirestoreDocumentStore({ projectId: o.projectId, emulatorHost: o.firestoreHost });
  const duck = await DuckDbWarehouse.open(o.warehousePath ?? ':memory:');
  const warehouse = meter.meterWarehouse(o.wrapWarehouse ? o.wrapWarehouse(duck) : duck);
  const secrets = new LocalSecrets();
  // The shell's settings, then the stack's, then each area's, then the caller's.
  let env: NodeJS.ProcessEnv = {
    ...process.env,
    ENVIRONMENT: 'local',
    GOOGLE_CLOUD_PROJECT: o.projectId,
    WAREHOUSE: 'duckdb',
    ...o.env,
  };
  const priceFeeds = readPriceSourcesConfig(env).feeds;
  const chainlink = await startChainlinkRpcServer({
    feeds: chainlinkFeedSpecs(priceFeeds),
    price: o.prices,
    clock: o.clock,
    chaos: o.chaos?.chainlink,
    history: o.chainlinkHistory,
  });
  const pyth = await startPythHermesServer({
    feeds: pythFeedSpecs(priceFeeds),
    price: o.prices,
    clock: o.clock,
    chaos: o.chaos?.pyth,
  });
  secrets.values.set('CHAINLINK_RPC_URL', chainlink.url);
  env = { ...env, PYTH_HERMES_URL: pyth.url };

  // Each area starts the local providers its functions talk to and says how to reach them.
  const ctx: AreaContext = { projectId: o.projectId, warehouse, clock: o.clock, secrets, env };
  const wanted = new Set<AreaName>(o.areas ?? AREAS);
  const unwired = { functions: [], env: {}, services: {} };
  const kyc = wanted.has('kyc') ? await startKycArea(ctx) : (unwired as unknown as LocalArea<KycServices>);
  const aml = wanted.has('aml') ? await startAmlArea(ctx) : (unwired as unknown as LocalArea<AmlServices>);
  const notifications = wanted.has('notifications')
    ? await startNotificationsArea(ctx)
    : (unwired as unknown as LocalArea<NotificationsServices>);
  const operations = wanted.has('operations')
    ? await startOperationsArea(ctx)
    : (unwired as unknown as LocalArea<OperationsServices>);
  const controls = wanted.has('controls')
    ? await startControlsArea(ctx)
    : (unwired as unknown as LocalArea<ControlsServices>);
  const views = wanted.has('views')
    ? await startViewsArea(ctx)
    : (unwired as unknown as LocalArea<ViewsServices>);
  const cases = wanted.has('cases')
    ? await startCasesArea(ctx)
    : (unwired as unknown as LocalArea<CasesServices>);
  const areas: LocalArea[] = [kyc, aml, notifications, operations, controls, views, cases];
  for (const a of areas) env = { ...env, ...a.env };
  env = { ...env, ...o.env };
  const platform = localPlatform({ env, bus, store, warehouse, secrets, clock: o.clock, logger });

  // Every function is served from its one wiring, registered under a per-project name so parallel stacks never
  // share one. Invocations in progress: settle() waits for them too, since one blocked on a Firestore lock can
  // outlast any quiet period.
  const named = (fn: FunctionName) => `${fn}-${o.projectId}`.replace(/[^-_A-Za-z0-9]/g, '-');
  let inFlight = 0;
  const tracked =
    <A extends unknown[]>(h: (...args: A) => unknown) =>
    async (...args: A): Promise<void> => {
      inFlight++;
      try {
        await h(...args);
      } finally {
        inFlight--;
      }
    };
  const observe: typeof meter.observe = (event) => {
    meter.observe(event);
    if (event.functionName === 'personaWebhook' && event.status !== undefined)
      kyc.services.webhookAnswers?.push({ status: event.status, reason: event.reason ?? '' });
  };
  const served: FunctionName[] = [...CORE, ...areas.flatMap((a) => a.functions)];
  for (const fn of served) {
    const wiring = WIRINGS[fn];
    // riskApi only reads, and its streams stay open for minutes: settle() does not wait for them.
    if (fn === 'riskApi' && wiring.trigger === 'http')
      ff.http(
        named(fn),
        wiring.serve(async () => platform, observe),
      );
    else if (wiring.trigger === 'http')
      ff.http(named(fn), tracked(wiring.serve(async () => platform, observe)));
    else ff.cloudEvent(named(fn), tracked(wiring.serve(async () => platform, observe)));
  }

  const servers: Server[] = [];
  const functionUrls: Partial<Record<FunctionName, string>> = {};
  let nextPort = o.functionPortBase ?? 0;
  for (const fn of served) {
    const server = getTestServer(named(fn));
    const port = await listen(server, nextPort);
    if (nextPort) nextPort++;
    servers.push(server);
    functionUrls[fn] = `http://127.0.0.1:${port}`;
  }

  // Topics, push subscriptions with dead-letter policies, and a pull subscription to inspect dead letters.
  for (const t of TOPICS) await pubsub.createTopic(t).catch(ignoreExists);
  for (const s of SUBSCRIPTIONS) {
    if (!functionUrls[s.function]) continue; // an area not wired yet
    await pubsub
      .topic(s.topic)
      .createSubscription(s.name, {
        pushConfig: {
          pushEndpoint: `${functionUrls[s.function] ?? ''}/projects/${o.projectId}/topics/${s.topic}`,
        },
        ackDeadlineSeconds: s.ackDeadlineSeconds,
        deadLetterPolicy: {
          deadLetterTopic: `projects/${o.projectId}/topics/${s.deadLetterTopic}`,
          maxDeliveryAttempts: s.maxDeliveryAttempts,
        },
        retryPolicy: LOCAL_RETRY,
      })
      .catch(ignoreExists);
  }
  await pubsub.topic('dead-letter.v1').createSubscription(DEAD_LETTER_INSPECT).catch(ignoreExists);

  const settle = async (quietMs = 1500, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      const seen = meter.totalDeliveries() + meter.totalPublished();
      if (seen !== last || inFlight > 0) {
        last = seen;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= quietMs) {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`local stack still busy after ${timeoutMs} ms`);
  };

  return {
    projectId: o.projectId,
    meter,
    bus,
    store,
    warehouse,
    pubsub,
    functionUrls,
    areas: {
      kyc: kyc.services,
      aml: aml.services,
      notifications: notifications.services,
      operations: operations.services,
      controls: controls.services,
      views: views.services,
      cases: cases.services,
    },
    settle,
    tick: async () => {
      const res = await fetch(functionUrls.ingestPrices ?? '', { method: 'POST' });
      return { status: res.status, body: await res.json() };
    },
    backfill: async () => {
      const res = await fetch(functionUrls.backfillCloses ?? '', { method: 'POST' });
      return { status: res.status, body: await res.json() };
    },
    stop: async () => {
      for (const s of servers) {
        s.closeAllConnections?.();
        await new Promise((r) => s.close(r));
      }
      for (const a of areas) await a.close?.();
      await chainlink.close();
      await pyth.close();
      await rawBus.close();
      await pubsub.close();
      await store.close();
      await duck.close();
    },
  };
}

function ignoreExists(err: { code?: number }): void {
  if (err.code !== 6) throw err; // 6 = ALREADY_EXISTS
}
