/**
 * Chainlink Data Feeds read off-chain: `latestRoundData()` and `decimals()` on each feed proxy through
 * JSON-RPC `eth_call`, with viem doing every ABI encode/decode. Both calls of every feed go out as one
 * JSON-RPC batch. The RPC URL is a secret (provider URLs embed API keys): it is read from the SecretStore
 * and never appears in a failure message or log.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  HttpRequestError,
  RpcRequestError,
  TimeoutError,
  createPublicClient,
  http,
  type PublicClient,
} from 'viem';
import type { PriceFeedConfig } from '../../domain/prices/config';
import { scaledToNumber } from '../../domain/prices/decimal';
import type { PriceSource } from '../../ports/price-source';
import { failAll, sourceFailure, type FailureKind, type SourceResult } from '../../domain/prices/types';
import type { SecretStore } from '../../ports/secret-store';
import { AGGREGATOR_V3_ABI } from './aggregator-v3-abi';

export const CHAINLINK_RPC_URL_SECRET = 'CHAINLINK_RPC_URL';

export interface ChainlinkPriceSourceOptions {
  /** Feed proxy per asset. */
  feeds: Record<string, `0x${string}`>;
  secrets: SecretStore;
  /** Secret holding the RPC URL (default CHAINLINK_RPC_URL). */
  rpcUrlSecret?: string;
  /** Per HTTP request (default 5000 ms). viem's own retries are off: the circuit breaker decides. */
  timeoutMs?: number;
  /** Send the calls as one JSON-RPC batch (default true). */
  batch?: boolean;
  /** Block tag for eth_call (default latest). */
  blockTag?: 'latest' | 'safe' | 'finalized';
}

export interface Classified {
  kind: FailureKind;
  reason: string;
  message: string;
}

export class ChainlinkPriceSource implements PriceSource {
  readonly name = 'chainlink' as const;
  private readonly rpc: RpcConnection;

  constructor(private readonly options: ChainlinkPriceSourceOptions) {
    this.rpc = new RpcConnection(options.secrets, options.rpcUrlSecret ?? CHAINLINK_RPC_URL_SECRET, {
      batch: options.batch ?? true,
      timeoutMs: options.timeoutMs,
    });
  }

  /** The feeds of a PriceFeedConfig (assets without a Chainlink feed are simply not configured here). */
  static fromConfig(
    config: PriceFeedConfig,
    secrets: SecretStore,
    options: Omit<ChainlinkPriceSourceOptions, 'feeds' | 'secrets'> = {},
  ): ChainlinkPriceSource {
    const feeds: Record<string, `0x${string}`> = {};
    for (const a of config.assets) if (a.chainlink) feeds[a.asset] = a.chainlink.proxy;
    return new ChainlinkPriceSource({ ...options, feeds, secrets });
  }

  async read(assets: string[], _now: Date): Promise<Map<string, SourceResult>> {
    const out = new Map<string, SourceResult>();
    const wanted = assets.filter((a) => {
      if (this.options.feeds[a]) return true;
      out.set(a, sourceFailure('chainlink', a, 'not-configured', 'NO_FEED', `no Chainlink feed for ${a}`));
      return false;
    });
    if (wanted.length === 0) return out;

    const connection = await this.rpc.open();
    if (!connection) {
      for (const [a, f] of failAll(
        'chainlink',
        wanted,
        'unavailable',
        'RPC_URL_UNAVAILABLE',
        'RPC URL secret unavailable',
      ))
        out.set(a, f);
      return out;
    }
    const { client, url } = connection;
    const blockTag = this.options.blockTag ?? 'latest';

    const reads = wanted.map(async (asset): Promise<SourceResult> => {
      const address = this.options.feeds[asset];
      // Decimals are read with every round, as Liquity does: a proxy re-pointed to another aggregator shows here.
      const [round, decimals] = await Promise.allSettled([
        client.readContract({ address, abi: AGGREGATOR_V3_ABI, functionName: 'latestRoundData', blockTag }),
        client.readContract({ address, abi: AGGREGATOR_V3_ABI, functionName: 'decimals', blockTag }),
      ]);
      if (round.status === 'rejected') return this.failure(asset, round.reason, url);
      if (decimals.status === 'rejected') return this.failure(asset, decimals.reason, url);
      const [roundId, answer, , updatedAt] = round.value;
      const dec = decimals.value;
      return {
        ok: true,
        source: 'chainlink',
        asset,
        price: scaledToNumber(answer, -dec),
        publishTime: new Date(Number(updatedAt) * 1000),
        roundId: roundId.toString(),
        decimals: dec,
        raw: { value: answer.toString(), expo: -dec },
      };
    });
    const results = await Promise.all(reads);
    for (const r of results) out.set(r.asset, r);
    return out;
  }

  private failure(asset: string, error: unknown, url: string): SourceResult {
    const c = classifyRpcError(error);
    return sourceFailure('chainlink', asset, c.kind, c.reason, scrubRpcUrl(c.message, url));
  }
}

/**
 * The RPC URL, read from its secret on every use so a rotated key takes effect without a restart, and one viem
 * client per URL. `open()` answers undefined when the secret cannot be read: the store's message may name paths
 * or projects, so callers report only that the secret was unavailable.
 */
export class RpcConnection {
  private cached?: { url: string; client: PublicClient };

  constructor(
    private readonly secrets: SecretStore,
    private readonly secretName: string,
    private readonly clientOptions: { batch?: boolean; timeoutMs?: number },
  ) {}

  async open(): Promise<{ url: string; client: PublicClient } | undefined> {
    let url: string;
    try {
      url = await this.secrets.get(this.secretName);
    } catch {
      return undefined;
    }
    if (this.cached?.url !== url) this.cached = { url, client: rpcClient(url, this.clientOptions) };
    return this.cached;
  }
}

/** A viem client on the RPC URL: calls made together go out as one JSON-RPC batch; no retries of its own. */
export function rpcClient(url: string, options: { batch?: boolean; timeoutMs?: number } = {}): PublicClient {
  const transport = http(url, {
    batch: options.batch ?? true,
    timeout: options.timeoutMs ?? 5_000,
    retryCount: 0,
  });
  return createPublicClient({ transport });
}

/** What an eth_call failure means: a node or network fault (unavailable) or an answer that is wrong (bad-response). */
export function classifyRpcError(error: unknown): Classified {
  if (!(error instanceof BaseError)) {
    return {
      kind: 'unavailable',
      reason: 'UNKNOWN_ERROR',
      message: (error as Error)?.name ?? 'unknown error',
    };
  }
  const find = <T>(type: abstract new (...args: never[]) => T): T | undefined =>
    (error.walk((e) => e instanceof type) as T | null) ?? undefined;
  if (find(TimeoutError)) return { kind: 'unavailable', reason: 'TIMEOUT', message: 'RPC request timed out' };
  const httpError = find(HttpRequestError);
  if (httpError)
    return {
      kind: 'unavailable',
      reason: httpError.status ? `HTTP_${httpError.status}` : 'HTTP_ERROR',
      message: httpError.status
        ? `RPC endpoint answered HTTP ${httpError.status}`
        : 'RPC endpoint unreachable',
    };
  // viem reports any eth_call error as a revert; the JSON-RPC code underneath tells a node fault from one.
  const rpc = find(RpcRequestError);
  if (rpc) {
    if (rpc.code === 3 || /revert/i.test(rpc.details ?? ''))
      return { kind: 'bad-response', reason: 'EXECUTION_REVERTED', message: 'the feed reverted' };
    if (rpc.code === -32005 || rpc.code === 429)
      return {
        kind: 'unavailable',
        reason: 'RPC_RATE_LIMITED',
        message: 'the RPC node rate-limited the call',
      };
    return { kind: 'unavailable', reason: `RPC_ERROR_${rpc.code}`, message: `RPC error ${rpc.code}` };
  }
  if (find(ContractFunctionRevertedError))
    return { kind: 'bad-response', reason: 'EXECUTION_REVERTED', message: 'the feed reverted' };
  if (find(ContractFunctionZeroDataError))
    return {
      kind: 'bad-response',
      reason: 'NO_DATA',
      message: 'the call returned no data (no contract there?)',
    };
  const coded = error.walk((e) => typeof (e as { code?: unknown }).code === 'number') as
    (BaseError & { code: number }) | null;
  if (coded)
    // e.g. a batch answered with one error object instead of an array (some providers' 429): viem gives -1.
    return { kind: 'unavailable', reason: `RPC_ERROR_${coded.code}`, message: `RPC error ${coded.code}` };
  if (error.walk((e) => (e as Error).name?.startsWith('AbiDecoding')))
    return {
      kind: 'bad-response',
      reason: 'UNDECODABLE',
      message: 'the answer did not decode as AggregatorV3',
    };
  return { kind: 'unavailable', reason: 'RPC_FAILURE', message: error.shortMessage };
}

/** Removes the URL (and its origin) from any text that might reach a log. */
export function scrubRpcUrl(text: string, url: string): string {
  let out = text.split(url).join('[rpc-url]');
  try {
    out = out.split(new URL(url).origin).join('[rpc-url]');
  } catch {
    // Not a URL: nothing more to remove.
  }
  return out;
}
