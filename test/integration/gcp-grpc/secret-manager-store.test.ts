/**
 * SecretManagerStore with the real @google-cloud/secret-manager client (google-gax over @grpc/grpc-js),
 * against a local server speaking google.cloud.secretmanager.v1.SecretManagerService over gRPC
 * (support/fake-secret-manager.ts).
 *
 * Seam: the adapter builds `new SecretManagerServiceClient()` with no options, and no environment variable points a
 * gRPC Google client at another host (GOOGLE_CLOUD_UNIVERSE_DOMAIN and grpc_proxy still mean TLS to a Google
 * host name on port 443 with real credentials). jest.mock substitutes a subclass of the real client whose
 * constructor adds connection options only (127.0.0.1:<port>, an insecure channel, the default universe
 * domain so no credentials are ever looked up); the rest is the library's own code and wire format. The
 * gRPC transport has none of the dynamic import()s Jest cannot run, so no child process is needed. An
 * optional client-options parameter on the adapter would make the mock unnecessary.
 */
import type * as Grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type * as SecretManager from '@google-cloud/secret-manager';
import { SecretManagerStore } from '../../../shared/adapters/gcp/secret-manager-store';
import { FakeSecretManager, type AccessSecretVersionResponse } from './support/fake-secret-manager';
import { RpcError } from './support/grpc-server';

type SecretManagerClientOptions = ConstructorParameters<typeof SecretManager.SecretManagerServiceClient>[0];

/** Port of the fake Secret Manager, set once it listens; every client the adapter constructs is recorded. */
let mockSecretManagerPort: number | undefined;
const mockSecretManagerClients: { close(): Promise<void> }[] = [];

jest.mock('@google-cloud/secret-manager', () => {
  const actual = jest.requireActual<typeof SecretManager>('@google-cloud/secret-manager');
  const { credentials } = jest.requireActual<typeof Grpc>('@grpc/grpc-js');
  class LocalSecretManagerServiceClient extends actual.SecretManagerServiceClient {
    constructor(opts?: SecretManagerClientOptions) {
      if (mockSecretManagerPort === undefined)
        throw new Error('the fake Secret Manager is not listening yet');
      super({
        ...opts,
        apiEndpoint: '127.0.0.1',
        port: mockSecretManagerPort,
        sslCreds: credentials.createInsecure(),
        universeDomain: 'googleapis.com',
      });
      mockSecretManagerClients.push(this);
    }
  }
  return { ...actual, __esModule: true, SecretManagerServiceClient: LocalSecretManagerServiceClient };
});

const PROJECT = 'fusion-risk-test';
const SECRET = 'sendgrid-api-key';
const VALUE = 'SG.f3c1-live-key.0123456789abcdef';
const ROTATED = 'SG.9a7e-rotated-key.fedcba9876543210';
const LATEST = `projects/${PROJECT}/secrets/${SECRET}/versions/latest`;

/** Everything an error could carry into a log line: message, stack, and its enumerable fields. */
function everythingIn(err: unknown): string {
  const e = err as Error;
  return [String(e), e.message, e.stack ?? '', JSON.stringify({ ...e })].join('\n');
}

async function rejectionOf(p: Promise<unknown>): Promise<Error & { code?: number }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: number };
  }
  throw new Error('expected a rejection');
}

describe('SecretManagerStore against a Secret Manager gRPC server', () => {
  const sm = new FakeSecretManager();

  beforeAll(async () => {
    mockSecretManagerPort = await sm.start();
    sm.addVersion(PROJECT, SECRET, VALUE);
  });

  afterAll(async () => {
    await Promise.all(mockSecretManagerClients.map((c) => c.close()));
    await sm.stop();
  });

  beforeEach(() => sm.reset());

  it('reads projects/<project>/secrets/<name>/versions/latest and returns its value', async () => {
    expect(await new SecretManagerStore({ projectId: PROJECT }).get(SECRET)).toBe(VALUE);

    expect(sm.accesses.map((c) => c.request.name)).toEqual([LATEST]);
    const [{ metadata }] = sm.accesses;
    // The real client's own wire details: the routing header names the version; no credentials are sent.
    expect(metadata['x-goog-request-params']).toBe(`name=${encodeURIComponent(LATEST)}`);
    expect(metadata.authorization).toBeUndefined();
  });

  it('reads the configured version instead of latest when one is pinned', async () => {
    const project = 'fusion-risk-pinned';
    sm.addVersion(project, SECRET, VALUE);
    sm.addVersion(project, SECRET, ROTATED);

    expect(await new SecretManagerStore({ projectId: project, version: '1' }).get(SECRET)).toBe(VALUE);
    expect(await new SecretManagerStore({ projectId: project }).get(SECRET)).toBe(ROTATED);
    expect(sm.accesses.map((c) => c.request.name)).toEqual([
      `projects/${project}/secrets/${SECRET}/versions/1`,
      `projects/${project}/secrets/${SECRET}/versions/latest`,
    ]);
  });

  it('caches each value for a few minutes: one RPC per name, however often it is read, and a rotation is seen after the TTL without a redeploy', async () => {
    const project = 'fusion-risk-cache';
    sm.addVersion(project, SECRET, VALUE);
    sm.addVersion(project, 'webhook-signing-key', 'whsec-1');
    let now = 1_000_000;
    const store = new SecretManagerStore({ projectId: project, ttlMs: 300_000, now: () => now });

    // Concurrent cold reads share one request; later reads are answered from the cache.
    expect(await Promise.all([store.get(SECRET), store.get(SECRET), store.get(SECRET)])).toEqual([
      VALUE,
      VALUE,
      VALUE,
    ]);
    expect(await store.get(SECRET)).toBe(VALUE);
    expect(await store.get('webhook-signing-key')).toBe('whsec-1');
    expect(sm.accesses.map((c) => c.request.name)).toEqual([
      `projects/${project}/secrets/${SECRET}/versions/latest`,
      `projects/${project}/secrets/webhook-signing-key/versions/latest`,
    ]);

    // A rotation: not seen within the TTL, seen by the same instance once it has passed.
    sm.addVersion(project, SECRET, ROTATED);
    now += 299_000;
    expect(await store.get(SECRET)).toBe(VALUE);
    expect(sm.accesses).toHaveLength(2);
    now += 2_000;
    expect(await store.get(SECRET)).toBe(ROTATED);
    expect(sm.accesses).toHaveLength(3);
  });

  it('serves the last good value while Secret Manager is down, for a bounded time', async () => {
    const project = 'fusion-risk-outage';
    sm.addVersion(project, SECRET, VALUE);
    let now = 5_000_000;
    const store = new SecretManagerStore({
      projectId: project,
      ttlMs: 60_000,
      maxStaleMs: 600_000,
      now: () => now,
    });
    expect(await store.get(SECRET)).toBe(VALUE);

    now += 61_000;
    sm.fail.push(new RpcError(status.INTERNAL, 'Secret Manager failed'));
    expect(await store.get(SECRET)).toBe(VALUE); // stale but recent: signature checks keep working
    expect(sm.accesses).toHaveLength(2); // it did ask, and failed
    // Past the bound, a failing Secret Manager is an error again (never a value older than maxStaleMs).
    now += 700_000;
    sm.fail.push(new RpcError(status.INTERNAL, 'Secret Manager failed'));
    expect(await rejectionOf(store.get(SECRET))).toMatchObject({ code: status.INTERNAL });
    expect(await store.get(SECRET)).toBe(VALUE); // and recovers
  });

  it('does not cache a failed read: the next get asks Secret Manager again', async () => {
    const store = new SecretManagerStore({ projectId: PROJECT });
    // As when the function's service account was granted access moments ago and IAM has not caught up.
    sm.fail.push(new RpcError(status.PERMISSION_DENIED, `Permission 'secretmanager.versions.access' denied`));

    expect(await rejectionOf(store.get(SECRET))).toMatchObject({ code: status.PERMISSION_DENIED });
    expect(await store.get(SECRET)).toBe(VALUE);
    expect(await store.get(SECRET)).toBe(VALUE);
    expect(sm.accesses.map((c) => c.request.name)).toEqual([LATEST, LATEST]);
  });

  describe('rejects a payload whose dataCrc32c does not match its data, and never shows the value', () => {
    const flipFirstByte = (data: Buffer | undefined): Buffer => {
      const copy = Buffer.from(data ?? Buffer.alloc(1));
      copy[0] ^= 0x01;
      return copy;
    };
    it.each<{ what: string; tamper: (res: AccessSecretVersionResponse) => AccessSecretVersionResponse }>([
      {
        what: 'the data altered after Secret Manager checksummed it',
        tamper: (res) => ({ ...res, payload: { ...res.payload, data: flipFirstByte(res.payload?.data) } }),
      },
      {
        what: 'a dataCrc32c that belongs to other data',
        tamper: (res) => ({
          ...res,
          payload: { ...res.payload, dataCrc32c: (Number(res.payload?.dataCrc32c) ^ 0x01) >>> 0 },
        }),
      },
    ])('$what', async ({ tamper }) => {
      const store = new SecretManagerStore({ projectId: PROJECT });
      sm.tamper = tamper;

      const err = await rejectionOf(store.get(SECRET));
      expect(err.message).toBe(`secret ${SECRET} failed its CRC32C integrity check`);
      // Neither the value nor the corrupted bytes that arrived: their distinctive middle is in neither.
      expect(everythingIn(err)).not.toContain('f3c1-live-key.0123456789abcdef');

      // Not cached: once the corruption is gone the same instance reads the value.
      sm.tamper = undefined;
      expect(await store.get(SECRET)).toBe(VALUE);
      expect(sm.accesses).toHaveLength(2);
    });
  });

  it('rejects a missing secret with NOT_FOUND naming it, and asks again next time', async () => {
    const store = new SecretManagerStore({ projectId: PROJECT });

    const err = await rejectionOf(store.get('twilio-auth-token'));
    expect(err.code).toBe(status.NOT_FOUND);
    expect(err.message).toContain(`projects/${PROJECT}/secrets/twilio-auth-token`);

    sm.addVersion(PROJECT, 'twilio-auth-token', 'tw-created-later');
    expect(await store.get('twilio-auth-token')).toBe('tw-created-later');
    expect(sm.accesses).toHaveLength(2);
  });
});
