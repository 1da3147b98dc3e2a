/**
 * Content ids collapse redeliveries (the same inputs always give the same id, across releases), and portfolios
 * are spread over a fixed number of buckets so that a shard is a contiguous bucket range whatever the shard count.
 */
import {
  bucketOf,
  bucketRange,
  contentId,
  PORTFOLIO_BUCKETS,
  shardOf,
  shardOfBucket,
} from '../../../shared/domain/ids';

describe('content ids', () => {
  it('is the prefix and the first 32 hex digits of the SHA-256 of the parts joined by a unit separator', () => {
    // A stored id must still match after an upgrade, or a redelivery would be processed twice.
    expect(contentId('evt', 'a', 'b')).toBe('evt_f04cdced9736a69da6103f08a4daaf8c');
    expect(contentId('evt', 'a', 'b')).toMatch(/^evt_[0-9a-f]{32}$/);
  });

  it('gives the same id for the same inputs and a different one when any part differs', () => {
    expect(contentId('tx', 'p1', 42)).toBe(contentId('tx', 'p1', 42));
    expect(contentId('tx', 'p1', 42)).toBe(contentId('tx', 'p1', '42'));
    expect(contentId('tx', 'p1', 42)).not.toBe(contentId('tx', 'p1', 43));
    expect(contentId('tx', 'p1', 42)).not.toBe(contentId('rx', 'p1', 42));
  });

  it('does not confuse where one part ends and the next begins', () => {
    expect(contentId('k', 'ab', 'c')).not.toBe(contentId('k', 'a', 'bc'));
    expect(contentId('k', 'abc')).not.toBe(contentId('k', 'a', 'bc'));
  });

  it('reads a missing part as empty, whether null or undefined', () => {
    expect(contentId('k', 'a', null)).toBe(contentId('k', 'a', ''));
    expect(contentId('k', 'a', undefined)).toBe(contentId('k', 'a', ''));
    expect(contentId('k', 'a', null)).not.toBe(contentId('k', 'a', 'null'));
  });
});

describe('shards and buckets', () => {
  it('hashes with 32-bit FNV-1a, the same on every platform', () => {
    // Published FNV-1a test vectors.
    expect(shardOf('', 2 ** 32)).toBe(0x811c9dc5);
    expect(shardOf('a', 2 ** 32)).toBe(0xe40c292c);
    expect(shardOf('foobar', 2 ** 32)).toBe(0xbf9cf968);
    expect(shardOf('foobar', 10)).toBe(0xbf9cf968 % 10);
  });

  it('puts every key in [0, shardCount)', () => {
    for (const key of ['', 'p-1', 'portfolio-000042', 'ü-ß-€'])
      for (const n of [1, 3, 16]) {
        const s = shardOf(key, n);
        expect(Number.isInteger(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThan(n);
      }
  });

  it('places a portfolio in one of 4096 buckets by its id', () => {
    expect(PORTFOLIO_BUCKETS).toBe(4096);
    expect(bucketOf('foobar')).toBe(0xbf9cf968 % 4096);
    expect(bucketOf('portfolio-1')).toBe(bucketOf('portfolio-1'));
  });

  it('gives shard k of n exactly the buckets that belong to it, covering all buckets once', () => {
    for (const n of [1, 2, 3, 7, 10, 4096]) {
      let next = 0;
      for (let k = 0; k < n; k++) {
        const { from, to } = bucketRange(k, n);
        expect(from).toBe(next);
        for (const b of [from, to - 1]) expect(shardOfBucket(b, n)).toBe(k);
        if (from > 0) expect(shardOfBucket(from - 1, n)).toBe(k - 1);
        next = to;
      }
      expect(next).toBe(PORTFOLIO_BUCKETS);
    }
  });

  it('splits 4096 buckets over 3 shards as floor(b·n/4096)', () => {
    expect(bucketRange(0, 3)).toEqual({ from: 0, to: 1366 });
    expect(bucketRange(1, 3)).toEqual({ from: 1366, to: 2731 });
    expect(bucketRange(2, 3)).toEqual({ from: 2731, to: 4096 });
    expect(shardOfBucket(1365, 3)).toBe(0);
    expect(shardOfBucket(1366, 3)).toBe(1);
    expect(shardOfBucket(4095, 3)).toBe(2);
  });
});
