/**
 * Local gRPC servers for Google Cloud services, built from the .proto files the client libraries themselves
 * ship (build/protos inside each package; the google/api, google/iam, google/longrunning and google/rpc
 * imports come from the google-gax those libraries use). The server therefore decodes exactly the bytes the
 * real client puts on the wire, and the client decodes exactly what a Google front end would send.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { dirname, join } from 'node:path';

export type GoogleCloudLibrary = '@google-cloud/kms' | '@google-cloud/secret-manager';

/** The service definition of `service` (e.g. google.cloud.kms.v1.KeyManagementService) from `library`. */
export function loadService(
  library: GoogleCloudLibrary,
  protoFile: string,
  service: string,
): grpc.ServiceDefinition {
  const libraryDir = dirname(require.resolve(`${library}/package.json`));
  // google-gax exports no package.json; its entry point is build/src/index.js, its protos build/protos.
  const gaxProtos = join(dirname(require.resolve('google-gax', { paths: [libraryDir] })), '..', 'protos');
  const definition = protoLoader.loadSync(protoFile, {
    includeDirs: [join(libraryDir, 'build', 'protos'), gaxProtos],
    keepCase: false, // requests arrive (and responses are written) with camelCase fields, as the client uses
    longs: Number, // int64 CRC32C values never exceed 2^32 - 1
    defaults: false, // an unset field stays undefined: presence of the checksum fields is observable
  });
  const def = definition[service];
  if (!def) throw new Error(`${service} not found in ${library}/${protoFile}`);
  return def as grpc.ServiceDefinition;
}

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

/** Serves `implementation` on 127.0.0.1 (a free port) without TLS. */
export async function serve(
  service: grpc.ServiceDefinition,
  implementation: grpc.UntypedServiceImplementation,
): Promise<RunningServer> {
  const server = new grpc.Server();
  server.addService(service, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) =>
        server.tryShutdown(() => {
          resolve();
        }),
      ),
  };
}

/** What a test asserts about every call: the request as decoded from the wire, and its metadata (headers). */
export interface ReceivedCall<Req> {
  method: string;
  request: Req;
  metadata: Record<string, string>;
}

export function metadataOf(call: grpc.ServerUnaryCall<unknown, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.metadata.getMap())) out[k] = Buffer.isBuffer(v) ? v.toString() : v;
  return out;
}

/** A gRPC error as a Google front end sends it: a status code and a message. */
export class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/** Adapts a (possibly async, possibly throwing RpcError) handler to grpc-js's callback style. */
export function unary<Req, Res>(
  handler: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Res | Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request, call))
      .then(
        (res) => callback(null, res),
        (err: unknown) =>
          callback(
            err instanceof RpcError
              ? { code: err.code, details: err.message }
              : { code: grpc.status.INTERNAL, details: (err as Error).message },
          ),
      );
  };
}
