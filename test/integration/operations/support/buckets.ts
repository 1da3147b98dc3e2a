/** Bucket names shared by the maintenance test and its child process. */
export const ARCHIVE_BUCKET = 'demo-fusion-risk-archive-dev';
export const STAGING_BUCKET = 'demo-fusion-risk-export-dev';
