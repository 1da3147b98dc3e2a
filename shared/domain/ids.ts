import { createHash } from 'node:crypto';

/** A stable id from content: the same inputs always give the same id, so redeliveries collapse. */
export function contentId(prefix: string, ...parts: (string | number | null | undefined)[]): string {
  const h = createHash('sha256')
    .update(parts.map((p) => String(p ?? '')).join('\u001f'))
    .digest('hex');
  return `${prefix}_${h.slice(0, 32)}`;
}

/** Stable shard of a key in [0, shardCount): FNV-1a, independent of platform and process. */
export function shardOf(key: string, shardCount: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shardCount;
}

/**
 * Portfolios live in a fixed number of buckets; a shard is a contiguous range of buckets. Changing the shard
 * count therefore needs no rewrite of stored portfolios: shard k of n is just another range.
 */
export const PORTFOLIO_BUCKETS = 4096;

export function bucketOf(portfolioId: string): number {
  return shardOf(portfolioId, PORTFOLIO_BUCKETS);
}

/** The shard (of shardCount) a bucket belongs to: floor(bucket · n / B). */
export function shardOfBucket(bucket: number, shardCount: number): number {
  return Math.floor((bucket * shardCount) / PORTFOLIO_BUCKETS);
}

/** Buckets [from, to) of shard k of n: exactly those b with shardOfBucket(b, n) = k. */
export function bucketRange(shard: number, shardCount: number): { from: number; to: number } {
  return {
    from: Math.ceil((shard * PORTFOLIO_BUCKETS) / shardCount),
    to: Math.ceil(((shard + 1) * PORTFOLIO_BUCKETS) / shardCount),
  };
}
