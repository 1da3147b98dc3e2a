/**
 * Builds the platform adapters a deployed function uses, from validated configuration. Cloud SDKs are
 * imported lazily inside the adapters, so a function only loads the clients it touches.
 */
import { BigQueryWarehouse } from '../adapters/gcp/bigquery-warehouse';
import { FirestoreDocumentStore } from '../adapters/gcp/firestore-document-store';
import { PubSubEventBus } from '../adapters/gcp/pubsub-event-bus';
import { SecretManagerStore } from '../adapters/gcp/secret-manager-store';
import { DuckDbWarehouse } from '../adapters/local/duckdb-warehouse';
import { LocalSecretStore } from '../adapters/local/local-secret-store';
import type { Clock } from '../ports/clock';
import type { DocumentStore } from '../ports/document-store';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';
import type { SecretStore } from '../ports/secret-store';
import type { Warehouse } from '../ports/warehouse';
import { systemClock } from './clocks';
import { readConfig, type RuntimeConfig } from './config';
import { StructuredLogger } from './logger';
import { once } from './once';

export interface PlatformDeps {
  config: RuntimeConfig;
  bus: EventBus;
  store: DocumentStore;
  warehouse: Warehouse;
  secrets: SecretStore;
  clock: Clock;
  logger: Logger;
}

let instance: (() => Promise<PlatformDeps>) | undefined;

/** The platform adapters, built once per instance (one function is deployed per instance). */
export function platformDeps(functionName: string): Promise<PlatformDeps> {
  instance ??= once(() => buildPlatformDeps(functionName));
  return instance();
}

async function buildPlatformDeps(functionName: string): Promise<PlatformDeps> {
  const config = readConfig();
  const logger = new StructuredLogger({ projectId: config.projectId, minSeverity: config.logLevel }).child({
    functionName,
  });
  const local = config.environment === 'local';
  return {
    config,
    logger,
    clock: systemClock,
    bus: new PubSubEventBus({ projectId: config.projectId }),
    store: new FirestoreDocumentStore({
      projectId: config.projectId,
      emulatorHost: config.firestoreEmulatorHost,
    }),
    warehouse:
      config.warehouse === 'bigquery'
        ? new BigQueryWarehouse({ projectId: config.projectId, location: config.bigqueryLocation })
        : await DuckDbWarehouse.open(config.duckdbPath),
    secrets: local ? new LocalSecretStore() : new SecretManagerStore({ projectId: config.projectId }),
  };
}
