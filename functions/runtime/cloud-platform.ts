/**
 * The platform of a deployed function: Pub/Sub, Firestore, BigQuery, Secret Manager, Cloud Storage and Cloud KMS,
 * from validated configuration. SDKs are imported lazily inside the adapters, so a function loads only the clients
 * it touches. The local warehouse (DuckDB) is the local stack's: it is never part of a deployed bundle.
 */
import { BigQueryMaintenance } from '../../shared/adapters/gcp/bigquery-maintenance';
import { BigQueryWarehouse } from '../../shared/adapters/gcp/bigquery-warehouse';
import { FirestoreDocumentStore } from '../../shared/adapters/gcp/firestore-document-store';
import { KmsEnvelopeCipher } from '../../shared/adapters/gcp/kms-envelope-cipher';
import { PubSubEventBus } from '../../shared/adapters/gcp/pubsub-event-bus';
import { SecretManagerStore } from '../../shared/adapters/gcp/secret-manager-store';
import { DevKeyCipher } from '../../shared/adapters/local/dev-key-cipher';
import { LocalSecretStore } from '../../shared/adapters/local/local-secret-store';
import { systemClock } from '../../shared/platform/clocks';
import { readOperationsConfig } from '../../shared/platform/config/operations';
import { ConfigError, readConfig } from '../../shared/platform/config/runtime';
import { StructuredLogger } from '../../shared/platform/logger';
import type { WarehouseMaintenance } from '../../shared/ports/warehouse-maintenance';
import type { Platform } from '../../shared/ports/platform';

export function cloudPlatform(env: NodeJS.ProcessEnv = process.env): Platform {
  const config = readConfig(env);
  if (config.warehouse !== 'bigquery')
    throw new ConfigError([
      'WAREHOUSE=duckdb is the local stack’s warehouse (npm start); a deployed function uses BigQuery',
    ]);
  const root = new StructuredLogger({ projectId: config.projectId, minSeverity: config.logLevel });
  let maintenance: WarehouseMaintenance | undefined;
  return {
    env,
    clock: systemClock,
    logger: (functionName) => root.child({ functionName }),
    bus: new PubSubEventBus({ projectId: config.projectId }),
    store: new FirestoreDocumentStore({
      projectId: config.projectId,
      emulatorHost: config.firestoreEmulatorHost,
    }),
    warehouse: new BigQueryWarehouse({ projectId: config.projectId, location: config.bigqueryLocation }),
    secrets:
      config.environment === 'local'
        ? new LocalSecretStore()
        : new SecretManagerStore({ projectId: config.projectId }),
    maintenance: () => {
      if (!maintenance) {
        // readOperationsConfig refuses a cloud environment without both buckets.
        const ops = readOperationsConfig(env);
        maintenance = new BigQueryMaintenance({
          projectId: config.projectId,
          location: config.bigqueryLocation,
          archiveBucket: ops.archiveBucket ?? '',
          stagingBucket: ops.archiveStagingBucket ?? '',
        });
      }
      return maintenance;
    },
    // The KYC configuration refuses a missing key outside ENVIRONMENT=local; DevKeyCipher refuses production.
    cipher: (kmsKeyName) => (kmsKeyName ? new KmsEnvelopeCipher(kmsKeyName) : new DevKeyCipher(env)),
  };
}
