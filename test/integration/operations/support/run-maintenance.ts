/**
 * Runs the operations use cases with the real BigQueryMaintenance adapter (real @google-cloud/bigquery client and
 * a real google-auth-library HTTP client for Cloud Storage) in a process of its own, and prints the outcomes as
 * JSON. Jest's sandbox cannot run the BigQuery client's dynamic import(); a plain Node process runs it unchanged.
 *
 * argv[2]: JSON { projectId, storageEndpoint, now, runs }. The environment points the BigQuery client at the fake
 * server (BIGQUERY_EMULATOR_HOST).
 */
import { OAuth2Client } from 'google-auth-library';
import { BigQueryMaintenance } from '../../../../shared/adapters/gcp/bigquery-maintenance';
import { MemoryDocumentStore } from '../../../support/memory/memory-document-store';
import { MATERIALIZED_VIEWS } from '../../../../shared/contracts/warehouse-views';
import { ManualClock } from '../../../../shared/platform/clocks';
import { StructuredLogger } from '../../../../shared/platform/logger';
import { archiveColdData } from '../../../../shared/use-cases/archive-cold-data';
import { refreshMaterializedViews } from '../../../../shared/use-cases/refresh-materialized-views';
import { ARCHIVE_BUCKET, STAGING_BUCKET } from './buckets';

async function main(): Promise<void> {
  const { projectId, storageEndpoint, now, runs } = JSON.parse(process.argv[2]) as {
    projectId: string;
    storageEndpoint: string;
    now: string;
    runs: number;
  };
  // A real authorised client; the token is a stand-in, the fake server does not check it.
  const storageClient = new OAuth2Client();
  storageClient.setCredentials({ access_token: 'test-token', expiry_date: Date.now() + 3_600_000 });
  const maintenance = new BigQueryMaintenance({
    projectId,
    location: 'EU',
    archiveBucket: ARCHIVE_BUCKET,
    stagingBucket: STAGING_BUCKET,
    storageClient,
    storageEndpoint,
  });
  const logger = new StructuredLogger({ sink: () => undefined });
  const clock = new ManualClock(now);
  const store = new MemoryDocumentStore();
  const refresh = await refreshMaterializedViews({
    maintenance,
    clock,
    logger,
    views: MATERIALIZED_VIEWS.map((v) => v.name),
  });
  const archives = [];
  for (let i = 0; i < runs; i++)
    archives.push(
      await archiveColdData({
        store,
        maintenance,
        clock,
        logger,
        config: { archiveAfterDays: 60, tables: ['market.prices'], maxAttempts: 3 },
      }),
    );
  process.stdout.write(JSON.stringify({ refresh, archives }));
}

void main();
