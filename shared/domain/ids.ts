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
