/**
 * A Secret Manager SecretManagerService (google.cloud.secretmanager.v1) speaking gRPC, for AccessSecretVersion,
 * with the service's semantics: versions are numbered from 1, "latest" resolves to the newest, the response
 * names the numbered version and carries payload.dataCrc32c; a missing secret or version is NOT_FOUND with
 * the message Secret Manager uses. Every call is recorded; `fail` answers the next calls with an error and
 * `tamper` rewrites a response after it is computed, as corruption in transit would.
 */
import * as grpc from '@grpc/grpc-js';
import { crc32cReference } from './crc32c-reference';
import {
  loadService,
  metadataOf,
  RpcError,
  serve,
  unary,
  type ReceivedCall,
  type RunningServer,
} from './grpc-server';

export interface AccessSecretVersionRequest {
  name: string;
}

export interface SecretPayload {
  data?: Buffer;
  dataCrc32c?: number;
}

export interface AccessSecretVersionResponse {
  name?: string;
  payload?: SecretPayload;
}

const SECRET_VERSION = /^(projects\/[^/]+\/secrets\/[^/]+)\/versions\/([^/]+)$/;

export class FakeSecretManager {
  readonly accesses: ReceivedCall<AccessSecretVersionRequest>[] = [];
  /** Errors to answer the next calls with, one per call, before serving normally again. */
  readonly fail: RpcError[] = [];
  /** Rewrites responses on their way to the client. */
  tamper?: (res: AccessSecretVersionResponse) => AccessSecretVersionResponse;
  private readonly secrets = new Map<string, string[]>();
  private server?: RunningServer;

  async start(): Promise<number> {
    const service = loadService(
      '@google-cloud/secret-manager',
      'google/cloud/secretmanager/v1/service.proto',
      'google.cloud.secretmanager.v1.SecretManagerService',
    );
    this.server = await serve(service, {
      AccessSecretVersion: unary<AccessSecretVersionRequest, AccessSecretVersionResponse>((req, call) => {
        this.accesses.push({ method: 'AccessSecretVersion', request: req, metadata: metadataOf(call) });
        const failure = this.fail.shift();
        if (failure) throw failure;
        const res = this.access(req.name);
        return this.tamper ? this.tamper(res) : res;
      }),
    });
    return this.server.port;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  reset(): void {
    this.accesses.length = 0;
    this.fail.length = 0;
    this.tamper = undefined;
  }

  /** Adds a version holding `value` to secret `projects/<project>/secrets/<secret>`; returns its number. */
  addVersion(project: string, secret: string, value: string): number {
    const name = `projects/${project}/secrets/${secret}`;
    const versions = this.secrets.get(name) ?? [];
    versions.push(value);
    this.secrets.set(name, versions);
    return versions.length;
  }

  private access(name: string): AccessSecretVersionResponse {
    const m = SECRET_VERSION.exec(name);
    if (!m) throw new RpcError(grpc.status.INVALID_ARGUMENT, `Invalid resource field value in the request.`);
    const [, secret, requested] = m;
    const versions = this.secrets.get(secret);
    if (!versions?.length) {
      throw new RpcError(grpc.status.NOT_FOUND, `Secret [${secret}] not found or has no versions.`);
    }
    const number = requested === 'latest' ? versions.length : Number(requested);
    const value = Number.isInteger(number) ? versions[number - 1] : undefined;
    if (value === undefined) throw new RpcError(grpc.status.NOT_FOUND, `Secret Version [${name}] not found.`);
    const data = Buffer.from(value);
    return { name: `${secret}/versions/${number}`, payload: { data, dataCrc32c: crc32cReference(data) } };
  }
}
