/**
 * The local stack's platform: the Pub/Sub and Firestore emulators, DuckDB as the warehouse, local secrets, a
 * development-key cipher in place of Cloud KMS and a folder of Parquet files as the cold archive. Every function
 * is served with its own production wiring on top of it.
 */
import { join } from 'node:path';
import { DevKeyCipher } from '../shared/adapters/local/dev-key-cipher';
import { DuckDbMaintenance } from '../shared/adapters/local/duckdb-maintenance';
import { readOperationsConfig } from '../shared/platform/config/operations';
import type { Clock } from '../shared/ports/clock';
import type { DocumentStore } from '../shared/ports/document-store';
import type { EventBus } from '../shared/ports/event-bus';
import type { Logger } from '../shared/ports/logger';
import type { Platform } from '../shared/ports/platform';
import type { SecretStore } from '../shared/ports/secret-store';
import type { Warehouse } from '../shared/ports/warehouse';

/** Local secrets under Secret Manager names; areas add theirs (webhook secrets at run time). */
export class LocalSecrets implements SecretStore {
  readonly values = new Map<string, string>();
  constructor(initial: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(initial)) this.values.set(k, v);
  }
  async get(name: string): Promise<string> {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`secret ${name} is not set on the local stack`);
    return v;
  }
}

export interface LocalPlatformParts {
  env: NodeJS.ProcessEnv;
  bus: EventBus;
  store: DocumentStore;
  warehouse: Warehouse;
  secrets: SecretStore;
  clock: Clock;
  logger: Logger;
}

export function localPlatform(parts: LocalPlatformParts): Platform & { maintenance(): DuckDbMaintenance } {
  const cipher = new DevKeyCipher(parts.env);
  let maintenance: DuckDbMaintenance | undefined;
  return {
    env: parts.env,
    bus: parts.bus,
    store: parts.store,
    warehouse: parts.warehouse,
    secrets: parts.secrets,
    clock: parts.clock,
    logger: (functionName) => parts.logger.child({ functionName }),
    maintenance: () =>
      (maintenance ??= new DuckDbMaintenance(parts.warehouse, {
        archiveDir: readOperationsConfig(parts.env).localArchiveDir,
      })),
    cipher: () => cipher,
  };
}

/** Each stack archives into a folder of its own, so parallel runs never share one. */
export function localArchiveDir(projectId: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.LOCAL_ARCHIVE_DIR || '.local/archive', projectId);
}
