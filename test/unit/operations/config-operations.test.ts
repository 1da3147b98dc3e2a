/** The operations configuration refuses a deployment that could let partitions expire before they are archived. */
import retention from '../../../shared/contracts/retention.json';
import { ConfigError } from '../../../shared/platform/config/runtime';
import { MIN_ARCHIVE_MARGIN_DAYS, readOperationsConfig } from '../../../shared/platform/config/operations';

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
  it('defaults locally to the archive lag and expiry of shared/contracts/retention.json and a git-ignored archive folder', () => {
    expect(MIN_ARCHIVE_MARGIN_DAYS).toBe(retention.minArchiveMarginDays);
    expect(readOperationsConfig({})).toEqual({
      hotRetentionDays: retention.hotRetentionDays,
      archiveAfterDays: retention.archiveAfterDays,
      maxExportAttempts: 3,
      archiveBucket: undefined,
      archiveStagingBucket: undefined,
      localArchiveDir: '.local/archive',
    });
  });

  it('keeps the declared lifecycle within its own margin', () => {
    expect(retention.archiveAfterDays + retention.minArchiveMarginDays).toBeLessThanOrEqual(
      retention.hotRetentionDays,
    );
  });

  it('accepts an archive lag exactly the margin below expiry, and refuses one day more', () => {
    const hot = retention.hotRetentionDays;
    const edge = hot - retention.minArchiveMarginDays;
    expect(
      readOperationsConfig({ HOT_RETENTION_DAYS: String(hot), ARCHIVE_AFTER_DAYS: String(edge) }),
    ).toMatchObject({ hotRetentionDays: hot, archiveAfterDays: edge });
    expect(problemsOf({ HOT_RETENTION_DAYS: String(hot), ARCHIVE_AFTER_DAYS: String(edge + 1) })).toEqual([
      `ARCHIVE_AFTER_DAYS (${edge + 1}) must be at least ${retention.minArchiveMarginDays} days below HOT_RETENTION_DAYS (${hot}), or partitions expire before they are archived`,
    ]);
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
      `ARCHIVE_AFTER_DAYS (85) must be at least ${retention.minArchiveMarginDays} days below HOT_RETENTION_DAYS (90), or partitions expire before they are archived`,
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
