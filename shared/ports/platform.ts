import type { Cipher } from './cipher';
import type { Clock } from './clock';
import type { DocumentStore } from './document-store';
import type { EventBus } from './event-bus';
import type { Logger } from './logger';
import type { SecretStore } from './secret-store';
import type { Warehouse } from './warehouse';
import type { WarehouseMaintenance } from './warehouse-maintenance';

/** Configuration variables as a function reads them (process.env in the cloud, a record locally and in tests). */
export type Env = NodeJS.ProcessEnv;

/**
 * What a function's wiring builds its dependencies from. Production passes Google Cloud adapters, the local
 * stack the emulators and DuckDB, tests in-memory adapters; the wiring itself is the same everywhere.
 */
export interface Platform {
  /** Each function reads and validates its own settings from here, once per cold start. */
  env: Env;
  bus: EventBus;
  store: DocumentStore;
  warehouse: Warehouse;
  secrets: SecretStore;
  clock: Clock;
  /** A logger whose every line names the function (instances are never shared between functions' names). */
  logger(functionName: string): Logger;
  /** Warehouse housekeeping: BigQuery + Cloud Storage in the cloud, DuckDB + a Parquet folder locally. */
  maintenance(): WarehouseMaintenance;
  /** Envelope encryption of personal data: Cloud KMS under `kmsKeyName`, a development key locally. */
  cipher(kmsKeyName: string | undefined): Cipher;
}
