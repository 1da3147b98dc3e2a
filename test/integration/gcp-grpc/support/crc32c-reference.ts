/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit. The fake servers compute their checksums
 * with this, not with the adapters' table-driven shared/platform/crc32c, so an error there cannot cancel out.
 * Check value: crc32cReference('123456789') === 0xe3069283.
 */
export function crc32cReference(data: Uint8Array | string): number {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
