/**
 * Chainlink history through the feed proxy: `latestRoundData()` for where history ends and
 * `getRoundData(roundId)` for any earlier round, proxy round ids carrying the phase (the proxy routes an old
 * phase's ids to that phase's aggregator). Calls made together go out as one JSON-RPC batch. A round that does
 * not exist reverts ("No data present") or, on some aggregators, answers zeros: both come back as undefined.
 * The RPC URL is a secret and never appears in an error message.
 */
import type { PublicClient } from 'viem';
import type { PriceFeedConfig } from '../../domain/prices/config';
import { scaledToNumber } from '../../domain/prices/decimal';
import { HistoryReadError, type ChainlinkRound, type ChainlinkRoundHistory } from '../../ports/price-history';
import type { SecretStore } from '../../ports/secret-store';
import { AGGREGATOR_V3_ABI } from './aggregator-v3-abi';
import { CHAINLINK_RPC_URL_SECRET, RpcConnection, classifyRpcError, scrubRpcUrl } from './chainlink-source';

export interface ChainlinkHistoryOptions {
  /** Proxy and decimals per asset. */
  feeds: Record<string, { proxy: `0x${string}`; decimals: number }>;
  secrets: SecretStore;
  rpcUrlSecret?: string;
  timeoutMs?: number;
}

type RoundTuple = readonly [bigint, bigint, bigint, bigint, bigint];

export class ChainlinkHistoryReader implements ChainlinkRoundHistory {
  private readonly rpc: RpcConnection;
  /** eth_calls made, for the backfill's progress and its tests. */
  calls = 0;

  constructor(private readonly options: ChainlinkHistoryOptions) {
    this.rpc = new RpcConnection(options.secrets, options.rpcUrlSecret ?? CHAINLINK_RPC_URL_SECRET, {
      timeoutMs: options.timeoutMs ?? 15_000,
    });
  }

  static fromConfig(
    config: PriceFeedConfig,
    secrets: SecretStore,
    options: Omit<ChainlinkHistoryOptions, 'feeds' | 'secrets'> = {},
  ): ChainlinkHistoryReader {
    const feeds: ChainlinkHistoryOptions['feeds'] = {};
    for (const a of config.assets)
      if (a.chainlink) feeds[a.asset] = { proxy: a.chainlink.proxy, decimals: a.chainlink.decimals };
    return new ChainlinkHistoryReader({ ...options, feeds, secrets });
  }

  has(asset: string): boolean {
    return this.options.feeds[asset] !== undefined;
  }

  async latestRound(asset: string): Promise<ChainlinkRound> {
    const { client, url } = await this.connect();
    const feed = this.feed(asset);
    this.calls++;
    try {
      const r = await client.readContract({
        address: feed.proxy,
        abi: AGGREGATOR_V3_ABI,
        functionName: 'latestRoundData',
      });
      const round = toRound(r, feed.decimals);
      if (!round) throw new HistoryReadError('chainlink', 'NO_DATA', `the ${asset} feed has no rounds`);
      return round;
    } catch (err) {
      if (err instanceof HistoryReadError) throw err;
      throw failure(asset, err, url);
    }
  }

  async rounds(asset: string, roundIds: readonly bigint[]): Promise<(ChainlinkRound | undefined)[]> {
    const { client, url } = await this.connect();
    const feed = this.feed(asset);
    this.calls += roundIds.length;
    return Promise.all(
      roundIds.map(async (roundId) => {
        try {
          const r = await client.readContract({
            address: feed.proxy,
            abi: AGGREGATOR_V3_ABI,
            functionName: 'getRoundData',
            args: [roundId],
          });
          return toRound(r, feed.decimals);
        } catch (err) {
          // A revert is the feed saying "No data present": there is no such round.
          if (classifyRpcError(err).reason === 'EXECUTION_REVERTED') return undefined;
          throw failure(asset, err, url);
        }
      }),
    );
  }

  private feed(asset: string) {
    const feed = this.options.feeds[asset];
    if (!feed) throw new HistoryReadError('chainlink', 'NO_FEED', `no Chainlink feed for ${asset}`);
    return feed;
  }

  private async connect(): Promise<{ client: PublicClient; url: string }> {
    const connection = await this.rpc.open();
    if (!connection)
      throw new HistoryReadError('chainlink', 'RPC_URL_UNAVAILABLE', 'RPC URL secret unavailable');
    return connection;
  }
}

function toRound(r: RoundTuple, decimals: number): ChainlinkRound | undefined {
  const [roundId, answer, , updatedAt] = r;
  if (updatedAt === 0n) return undefined;
  return { roundId, answer: scaledToNumber(answer, -decimals), updatedAt: Number(updatedAt) };
}

function failure(asset: string, err: unknown, url: string): HistoryReadError {
  const c = classifyRpcError(err);
  return new HistoryReadError('chainlink', c.reason, `${asset}: ${scrubRpcUrl(c.message, url)}`);
}
