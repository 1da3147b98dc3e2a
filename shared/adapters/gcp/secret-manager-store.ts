import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type { SecretStore } from '../../ports/secret-store';
import { crc32c } from '../../platform/crc32c';

/** Secret Manager by name; values are cached for the life of the instance (rotation reaches new instances). */
export class SecretManagerStore implements SecretStore {
  private client?: Promise<SecretManagerServiceClient>;
  private readonly cache = new Map<string, Promise<string>>();

  constructor(
    private readonly options: {
      projectId: string;
      version?: string;
      clientOptions?: ConstructorParameters<typeof SecretManagerServiceClient>[0];
    },
  ) {}

  get(name: string): Promise<string> {
    let v = this.cache.get(name);
    if (!v) {
      v = this.fetch(name);
      this.cache.set(name, v);
      v.catch(() => this.cache.delete(name));
    }
    return v;
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
