/** The operations configuration refuses a deployment that could let partitions expire before they are archived. */
import { ConfigError } from '../../../shared/platform/config/runtime';
import { readOperationsConfig } from '../../../shared/platform/config/operations';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    readOperationsConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('configuration was accepted');
}

describe('readOperationsConfig', () => {
  it('defaults locally to a 60-day archive lag under a 90-day expiry and a git-ignored archive folder', () => {
    expect(readOperationsConfig({})).toEqual({
      hotRetentionDays: 90,
      archiveAfterDays: 60,
      maxExportAttempts: 3,
      archiveBucket: undefined,
      archiveStagingBucket: undefined,
      localArchiveDir: '.local/archive',
    });
  });

  it('names every problem at once: buckets missing in the cloud, a lag too close to expiry, bad numbers', () => {
    expect(
      problemsOf({
        ENVIRONMENT: 'prod',
        HOT_RETENTION_DAYS: '90',
        ARCHIVE_AFTER_DAYS: '85',
        ARCHIVE_MAX_EXPORT_ATTEMPTS: 'many',
      }),
    ).toEqual([
      'ARCHIVE_AFTER_DAYS (85) must be at least 14 days below HOT_RETENTION_DAYS (90), or partitions expire before they are archived',
      'ARCHIVE_BUCKET is not set',
      'ARCHIVE_STAGING_BUCKET is not set',
      "ARCHIVE_MAX_EXPORT_ATTEMPTS must be an integer in [1, 20] (got 'many')",
    ]);
  });

  it('reads what Terraform sets in a cloud environment', () => {
    expect(
      readOperationsConfig({
        ENVIRONMENT: 'staging',
        HOT_RETENTION_DAYS: '90',
        ARCHIVE_AFTER_DAYS: '60',
        ARCHIVE_BUCKET: 'p-fusion-risk-archive-staging',
        ARCHIVE_STAGING_BUCKET: 'p-fusion-risk-export-staging',
      }),
    ).toMatchObject({
      archiveBucket: 'p-fusion-risk-archive-staging',
      archiveStagingBucket: 'p-fusion-risk-export-staging',
    });
  });
});
