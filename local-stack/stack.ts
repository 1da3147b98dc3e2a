/**
 * The local GCP stack: topics and push subscriptions (with dead-letter policies) created on the Pub/Sub
 * emulator from functions/topology.json, Firestore on its emulator, DuckDB as the warehouse, and every
 * function served by @google-cloud/functions-framework on its own port, receiving pushes exactly as Cloud
 * Run receives them. Chainlink and Pyth are local servers speaking their wire formats, fed by real history.
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { PubSub } from '@google-cloud/pubsub';
import type { Server } from 'node:http';
import { computePortfolioRiskHandler } from '../functions/compute-portfolio-risk';
import { detectMarginEventsHandler } from '../functions/detect-margin-events';
import { ingestPricesHttp } from '../functions/ingest-prices';
import { FirestoreDocumentStore } from '../shared/adapters/gcp/firestore-document-store';
import { PubSubEventBus } from '../shared/adapters/gcp/pubsub-event-bus';
import { DuckDbWarehouse } from '../shared/adapters/local/duckdb-warehouse';
import { LocalSecretStore } from '../shared/adapters/local/local-secret-store';
import { ChainlinkPriceSource } from '../shared/adapters/oracles/chainlink-source';
import { PythHermesPriceSource } from '../shared/adapters/oracles/pyth-hermes-source';
import type { PriceFeedConfig } from '../shared/domain/prices/config';
import type { Clock } from '../shared/ports/clock';
import type { DocumentStore } from '../shared/ports/document-store';
import type { EventBus } from '../shared/ports/event-bus';
import type { Logger } from '../shared/ports/logger';
import type { Warehouse } from '../shared/ports/warehouse';
import { StructuredLogger } from '../shared/platform/logger';
import { once } from '../shared/platform/once';
import { SUBSCRIPTIONS, TOPICS, type FunctionName } from '../shared/topology/topology';
import {
  DEFAULT_RISK_COMPUTE_CONFIG,
  type RiskComputeConfig,
} from '../shared/use-cases/compute-portfolio-risk';
import { DEFAULT_PRICE_FEED_CONFIG } from '../shared/use-cases/ingest-prices';
import { FlowMeter } from './flow-meter';
import {
  startChainlinkRpcServer,
  chainlinkFeedSpecs,
  type PriceFunction,
} from './providers/chainlink-rpc-server';
import type { ChaosOptions } from './providers/chaos';
import { startPythHermesServer, pythFeedSpecs } from './providers/pyth-hermes-server';
import type { HysteresisPolicy } from '../shared/domain/margin/health-state-machine';
import { wireAml, type AmlServices } from './wiring/aml';
import { wireKyc, type KycServices } from './wiring/kyc';
import { wireNotifications, type NotificationsServices } from './wiring/notifications';
import { wireOperations, type OperationsServices } from './wiring/operations';
import type { AreaWiring, WiringContext } from './wiring/types';

export interface LocalStackOptions {
  projectId: string;
  pubsubHost: string;
  firestoreHost: string;
  clock: Clock;
  /** Prices the local Chainlink and Pyth servers serve (e.g. real historical closes). */
  prices: PriceFunction;
  priceConfig?: PriceFeedConfig;
  chaos?: { chainlink?: ChaosOptions; pyth?: ChaosOptions };
  risk?: Partial<RiskComputeConfig>;
  hysteresis?: HysteresisPolicy;
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
  };
  /** What Cloud Scheduler does every minute: POST to ingestPrices. */
  tick(): Promise<{ status: number; body: unknown }>;
  /** Resolves once no invocation is running and none started or finished for quietMs (rejects after timeoutMs). */
  settle(quietMs?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Local retry backoff: attempts and dead-lettering come from the topology; only the waits are shortened. */
const LOCAL_RETRY = { minimumBackoff: { seconds: 0, nanos: 200_000_000 }, maximumBackoff: { seconds: 2 } };

export const DEAD_LETTER_INSPECT = 'dead-letter.v1.inspect';

export const AREAS = ['kyc', 'aml', 'notifications', 'operations'] as const;
export type AreaName = (typeof AREAS)[number];

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
  const priceConfig = o.priceConfig ?? DEFAULT_PRICE_FEED_CONFIG;

  const chainlink = await startChainlinkRpcServer({
    feeds: chainlinkFeedSpecs(priceConfig),
    price: o.prices,
    clock: o.clock,
    chaos: o.chaos?.chainlink,
  });
  const pyth = await startPythHermesServer({
    feeds: pythFeedSpecs(priceConfig),
    price: o.prices,
    clock: o.clock,
    chaos: o.chaos?.pyth,
  });
  const secrets = new LocalSecretStore({ CHAINLINK_RPC_URL: chainlink.url }, {});

  // Functions: registered with the framework under a per-project name so parallel stacks never share one.
  const risk: RiskComputeConfig = { ...DEFAULT_RISK_COMPUTE_CONFIG, ...o.risk };
  const named = (fn: FunctionName) => `${fn}-${o.projectId}`.replace(/[^-_A-Za-z0-9]/g, '-');
  // Invocations in progress: settle() waits for them too, since one blocked on a Firestore lock can outlast any
  // quiet period.
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
  ff.http(
    named('ingestPrices'),
    tracked(
      ingestPricesHttp(
        once(async () => ({
          store,
          bus,
          warehouse,
          clock: o.clock,
          logger: logger.child({ functionName: 'ingestPrices' }),
          config: priceConfig,
          sources: [
            ChainlinkPriceSource.fromConfig(priceConfig, secrets),
            PythHermesPriceSource.fromConfig(priceConfig, { baseUrl: pyth.url }),
          ],
        })),
      ),
    ),
  );
  ff.cloudEvent(
    named('computePortfolioRisk'),
    tracked(
      computePortfolioRiskHandler(
        async () => ({ store, bus, warehouse, logger, config: risk }),
        meter.observe,
      ),
    ),
  );
  ff.cloudEvent(
    named('detectMarginEvents'),
    tracked(
      detectMarginEventsHandler(
        async () => ({ store, bus, warehouse, logger, clock: o.clock, policy: o.hysteresis }),
        meter.observe,
      ),
    ),
  );
  // The areas added after the risk core register their own functions and local provider servers.
  const ctx: WiringContext = {
    projectId: o.projectId,
    store,
    bus,
    warehouse,
    clock: o.clock,
    logger,
    observe: meter.observe,
  };
  const wanted = new Set<AreaName>(o.areas ?? AREAS);
  const unwired = { services: {} };
  const kyc = wanted.has('kyc') ? await wireKyc(ctx) : (unwired as AreaWiring<KycServices>);
  const aml = wanted.has('aml') ? await wireAml(ctx) : (unwired as AreaWiring<AmlServices>);
  const notifications = wanted.has('notifications')
    ? await wireNotifications(ctx)
    : (unwired as AreaWiring<NotificationsServices>);
  const operations = wanted.has('operations')
    ? await wireOperations(ctx)
    : (unwired as AreaWiring<OperationsServices>);
  const wirings: AreaWiring[] = [kyc, aml, notifications, operations];
  const served: FunctionName[] = ['ingestPrices', 'computePortfolioRisk', 'detectMarginEvents'];
  for (const w of wirings) {
    for (const [fn, h] of Object.entries(w.http ?? {})) {
      ff.http(named(fn as FunctionName), tracked(h));
      served.push(fn as FunctionName);
    }
    for (const [fn, h] of Object.entries(w.cloudEvent ?? {})) {
      ff.cloudEvent(named(fn as FunctionName), tracked(h));
      served.push(fn as FunctionName);
    }
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
    },
    settle,
    tick: async () => {
      const res = await fetch(functionUrls.ingestPrices ?? '', { method: 'POST' });
      return { status: res.status, body: await res.json() };
    },
    stop: async () => {
      for (const s of servers) {
        s.closeAllConnections?.();
        await new Promise((r) => s.close(r));
      }
      for (const w of wirings) await w.close?.();
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
