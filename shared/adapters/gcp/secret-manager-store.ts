import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type { SecretStore } from '../../ports/secret-store';
import { crc32c } from '../../platform/crc32c';

const RETRY_AFTER_FAILURE_MS = 30_000;

interface Cached {
  value: Promise<string>;
  fetchedAt: number;
  /** The last value read successfully, served while a refresh fails (a Secret Manager outage). */
  lastGood?: { value: string; at: number };
}

/**
 * Secret Manager by name. A value is cached for `ttlMs` (default 5 min), so a rotation reaches running instances
 * within minutes without a redeploy; concurrent reads share one request. If a refresh fails, the last value read
 * is served for up to `maxStaleMs` (default 1 h): an outage of Secret Manager does not stop signature checks.
 */
export class SecretManagerStore implements SecretStore {
  private client?: Promise<SecretManagerServiceClient>;
  private readonly cache = new Map<string, Cached>();
  private readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly now: () => number;

  constructor(
    private readonly options: {
      projectId: string;
      version?: string;
      clientOptions?: ConstructorParameters<typeof SecretManagerServiceClient>[0];
      ttlMs?: number;
      maxStaleMs?: number;
      now?: () => number;
    },
  ) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.maxStaleMs = options.maxStaleMs ?? 60 * 60_000;
    this.now = options.now ?? Date.now;
  }

  get(name: string): Promise<string> {
    const now = this.now();
    const cached = this.cache.get(name);
    if (cached && now - cached.fetchedAt < this.ttlMs) return cached.value;
    const lastGood = cached?.lastGood;
    const entry: Cached = { fetchedAt: now, lastGood, value: Promise.resolve('') };
    entry.value = this.fetch(name).then(
      (value) => {
        entry.lastGood = { value, at: this.now() };
        return value;
      },
      (err: unknown) => {
        const mine = this.cache.get(name) === entry;
        if (lastGood && this.now() - lastGood.at <= this.maxStaleMs) {
          // Serve the last good value, and ask Secret Manager again in half a minute.
          if (mine)
            this.cache.set(name, {
              fetchedAt: this.now() - this.ttlMs + RETRY_AFTER_FAILURE_MS,
              lastGood,
              value: Promise.resolve(lastGood.value),
            });
          return lastGood.value;
        }
        if (mine) this.cache.delete(name); // a failed read is never cached
        throw err;
      },
    );
    this.cache.set(name, entry);
    return entry.value;
  }

  private async fetch(name: string): Promise<string> {
    this.client ??= import('@google-cloud/secret-manager').then(
      ({ SecretManagerServiceClient }) => new SecretManagerServiceClient(this.options.clientOptions),
    );
    const client = await this.client;
    const path = `projects/${this.options.projectId}/secrets/${name}/versions/${this.options.version ?? 'latest'}`;
    const [version] = await client.accessSecretVersion({ name: path });
    const data = version.payload?.data;
    if (!data) throw new Error(`secret ${name} has no payload`);
    const buf = Buffer.from(data as Uint8Array);
    const expected = version.payload?.dataCrc32c;
    if (expected !== undefined && expected !== null && Number(expected) !== crc32c(buf)) {
      throw new Error(`secret ${name} failed its CRC32C integrity check`);
    }
    return buf.toString('utf8');
  }
}
