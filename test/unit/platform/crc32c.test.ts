/** CRC32C (Castagnoli) guards every Cloud KMS and Secret Manager payload; wrong checksums fail every call. */
import { crc32c } from '../../../shared/platform/crc32c';

describe('crc32c', () => {
  it.each<[string, Uint8Array, number]>([
    ['"123456789" (the check value)', Buffer.from('123456789'), 0xe3069283],
    ['the empty input', Buffer.alloc(0), 0x00000000],
    ['32 zero bytes (RFC 3720 B.4)', Buffer.alloc(32, 0x00), 0x8a9136aa],
    ['32 0xFF bytes (RFC 3720 B.4)', Buffer.alloc(32, 0xff), 0x62a8ab43],
    ['bytes 0..31 ascending (RFC 3720 B.4)', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
    ['bytes 31..0 descending (RFC 3720 B.4)', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
    ['"a"', Buffer.from('a'), 0xc1d04330],
  ])('matches the known vector for %s', (_name, data, expected) => {
    expect(crc32c(data)).toBe(expected);
  });

  it('returns an unsigned 32-bit value, as KMS sends it', () => {
    const v = crc32c(Buffer.from('123456789'));
    expect(v).toBeGreaterThan(0x7fffffff);
    expect(Number.isInteger(v)).toBe(true);
  });
});
