/**
 * A local Ethereum JSON-RPC endpoint that answers `eth_call` for Chainlink feed proxies the way a node would:
 * `latestRoundData()` (0xfeaf968c), `getRoundData(uint80)` (0x9a6fc8f5) and `decimals()` (0x313ce567),
 * ABI-encoded with viem. Rounds follow the feed's own update rules (a new round when the price moved beyond the
 * deviation threshold or the heartbeat elapsed), so `updatedAt` ages realistically. With `history`, the feed
 * also has a past from `history.from`: rounds at irregular times under the same two triggers (several a day),
 * and optionally a proxy upgrade at `history.phaseChangeAt` — rounds before it belong to the previous phase,
 * whose aggregator numbered them from 1 — so `getRoundData` walks back across phases as on mainnet, and an id
 * with no round reverts "No data present". Single requests and JSON-RPC batches are both accepted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeFunctionData, encodeErrorResult, encodeFunctionResult, parseAbi, type Hex } from 'viem';
import { AGGREGATOR_V3_ABI } from '../../shared/adapters/oracles/aggregator-v3-abi';
import type { PriceFeedConfig } from '../../shared/domain/prices/config';
import type { Clock } from '../../shared/ports/clock';
import { seededRandom } from '../seeded-random';
import { Chaos, type AnswerFault, type ChaosOptions } from './chaos';
import { hang, listen, send, sendJson, toScaledInteger, type RunningServer } from './http-server';

export interface ChainlinkFeedSpec {
  asset: string;
  proxy: `0x${string}`;
  /** Default 8, as for USD feeds. */
  decimals?: number;
  /** A new round at least this often even if flat (default 3600 s). */
  heartbeatSeconds?: number;
  /** A new round when the price moved more than this fraction (default 0: every call sees a fresh round). */
  deviationThreshold?: number;
  description?: string;
}

export type PriceFunction = (asset: string, at: Date) => number;

export interface ChainlinkRpcServerOptions {
  feeds: ChainlinkFeedSpec[];
  price: PriceFunction;
  clock: Clock;
  chaos?: ChaosOptions;
  port?: number;
  host?: string;
  /** Reported by eth_chainId (default 1, mainnet). */
  chainId?: number;
  /** Proxy phase id, the high bits of every round id (default 5). */
  phaseId?: number;
  /** The feeds' past, generated on first use up to the clock's now (see the header). */
  history?: ChainlinkHistorySpec;
}

export interface ChainlinkHistorySpec {
  from: Date;
  /** The proxy upgrade: earlier rounds are the previous phase's (phaseId − 1). */
  phaseChangeAt?: Date;
  /** Seeds the irregular round times (default 1). */
  seed?: number;
}

export interface ChainlinkServerStats {
  httpRequests: number;
  rpcCalls: number;
  byMethod: Record<string, number>;
  /** latestRoundData calls per asset. */
  roundReads: Record<string, number>;
  /** getRoundData calls per asset. */
  historyReads: Record<string, number>;
}

interface RoundState {
  aggregatorRound: bigint;
  answer: bigint;
  startedAt: bigint;
  updatedAt: bigint;
}

interface RpcRequest {
  jsonrpc?: string;
  id?: string | number | null;
  method?: string;
  params?: unknown[];
}

type RpcResponse =
  | { jsonrpc: '2.0'; id: string | number | null; result: unknown }
  | { jsonrpc: '2.0'; id: string | number | null; error: { code: number; message: string; data?: unknown } };

/** The answer faults a Chainlink round can show (chaos tests draw from the same list). */
export const ROUND_FAULTS: readonly AnswerFault[] = [
  'rpc-error',
  'revert',
  'stale',
  'zero-answer',
  'negative-answer',
  'wild-price',
  'future-timestamp',
  'zero-timestamp',
];

/** What a feed reverts with for a round id it never had (AggregatorV3Interface: "No data present"). */
const NO_DATA_REVERT = encodeErrorResult({
  abi: parseAbi(['error Error(string)']),
  errorName: 'Error',
  args: ['No data present'],
});

export class ChainlinkRpcServer {
  private chaos: Chaos;
  private readonly rounds = new Map<string, RoundState>();
  /** Every round per asset and phase (aggregator round n at index n − 1), history and live alike. */
  private readonly phases = new Map<string, Map<number, RoundState[]>>();
  private readonly byProxy = new Map<string, ChainlinkFeedSpec>();
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly stats: ChainlinkServerStats = {
    httpRequests: 0,
    rpcCalls: 0,
    byMethod: {},
    roundReads: {},
    historyReads: {},
  };

  constructor(private readonly options: ChainlinkRpcServerOptions) {
    for (const f of options.feeds) this.byProxy.set(f.proxy.toLowerCase(), f);
    this.chaos = new Chaos(options.chaos);
  }

  /** Swaps the fault schedule mid-run (a scenario's next phase). */
  setChaos(chaos: ChaosOptions | undefined): void {
    this.chaos = new Chaos(chaos);
  }

  get injected(): ReadonlyMap<string, number> {
    return this.chaos.injected;
  }

  start(): Promise<RunningServer> {
    return listen((req, res, body) => this.handle(req, res, body), {
      port: this.options.port,
      host: this.options.host,
      timers: this.timers,
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    this.stats.httpRequests++;
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'JSON-RPC over POST only');
    const fault = this.chaos.requestFault();
    if (fault === 'http-500') return send(res, 500, 'text/plain', 'internal server error');
    if (fault === 'http-429')
      return sendJson(res, 429, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32005, message: 'rate limit exceeded' },
      });
    if (fault === 'hang') return hang(res, this.chaos.hangMs, this.timers);

    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return sendJson(res, 200, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700, message: 'parse error' },
      });
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0)
        return sendJson(res, 200, {
          jsonrpc: '2.0',
          id: null,
          error: { code: -32600, message: 'empty batch' },
        });
      const out = parsed.map((r) => this.call(r as RpcRequest)).filter((r): r is RpcResponse => !!r);
      return sendJson(res, 200, out);
    }
    const single = this.call(parsed as RpcRequest);
    return single ? sendJson(res, 200, single) : send(res, 204, 'text/plain', '');
  }

  private call(req: RpcRequest): RpcResponse | undefined {
    if (req.id === undefined) return undefined; // a notification gets no answer
    const id = req.id;
    const ok = (result: unknown): RpcResponse => ({ jsonrpc: '2.0', id, result });
    const err = (code: number, message: string, data?: unknown): RpcResponse => ({
      jsonrpc: '2.0',
      id,
      error: data === undefined ? { code, message } : { code, message, data },
    });
    const method = typeof req.method === 'string' ? req.method : '';
    this.stats.rpcCalls++;
    this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;
    switch (method) {
      case 'eth_chainId':
        return ok(`0x${(this.options.chainId ?? 1).toString(16)}`);
      case 'net_version':
        return ok(String(this.options.chainId ?? 1));
      case 'eth_blockNumber':
        // One block per 12 s since the merge-era genesis of this fake chain.
        return ok(`0x${Math.floor(this.options.clock.now().getTime() / 12_000).toString(16)}`);
      case 'eth_call':
        return this.ethCall(req.params, ok, err);
      default:
        return err(-32601, `the method ${method} does not exist/is not available`);
    }
  }

  private ethCall(
    params: unknown[] | undefined,
    ok: (r: unknown) => RpcResponse,
    err: (code: number, message: string, data?: unknown) => RpcResponse,
  ): RpcResponse {
    const tx = (params?.[0] ?? {}) as { to?: string; data?: string; input?: string };
    const data = (tx.data ?? tx.input) as Hex | undefined;
    if (typeof tx.to !== 'string' || typeof data !== 'string') return err(-32602, 'invalid params');
    const feed = this.byProxy.get(tx.to.toLowerCase());
    // Calling an address without code returns empty bytes, as a node does.
    if (!feed) return ok('0x');
    let functionName: string;
    try {
      functionName = decodeFunctionData({ abi: AGGREGATOR_V3_ABI, data }).functionName;
    } catch {
      return err(3, 'execution reverted', '0x');
    }
    const decimals = feed.decimals ?? 8;
    if (functionName === 'decimals')
      return ok(encodeFunctionResult({ abi: AGGREGATOR_V3_ABI, functionName: 'decimals', result: decimals }));
    if (functionName === 'description')
      return ok(
        encodeFunctionResult({
          abi: AGGREGATOR_V3_ABI,
          functionName: 'description',
          result: feed.description ?? `${feed.asset} / USD`,
        }),
      );
    if (functionName === 'version')
      return ok(encodeFunctionResult({ abi: AGGREGATOR_V3_ABI, functionName: 'version', result: 4n }));
    if (functionName === 'getRoundData') return this.getRoundData(feed, data, ok, err);
    if (functionName !== 'latestRoundData') return err(3, 'execution reverted', '0x');

    this.stats.roundReads[feed.asset] = (this.stats.roundReads[feed.asset] ?? 0) + 1;
    const now = this.options.clock.now();
    let round: RoundState;
    try {
      this.ensureHistory(feed, now);
      round = this.currentRound(feed, now);
    } catch (e) {
      return err(-32603, `no price for ${feed.asset}: ${(e as Error).message}`);
    }
    const fault = this.chaos.answerFault(feed.asset, ROUND_FAULTS);
    if (fault === 'rpc-error') return err(-32603, 'internal error');
    if (fault === 'revert') return err(3, 'execution reverted', '0x');
    const r = this.faulted(feed, round, now, fault);
    const roundId = (BigInt(this.phaseId) << 64n) | r.aggregatorRound;
    return ok(
      encodeFunctionResult({
        abi: AGGREGATOR_V3_ABI,
        functionName: 'latestRoundData',
        result: [roundId, r.answer, r.startedAt, r.updatedAt, roundId],
      }),
    );
  }

  /** Every round the feed has had so far, oldest first, phases in order (what a test checks a walk against). */
  roundsOf(asset: string): { phase: number; aggregatorRound: bigint; answer: bigint; updatedAt: number }[] {
    const feed = this.options.feeds.find((f) => f.asset === asset);
    if (!feed) return [];
    this.ensureHistory(feed, this.options.clock.now());
    const phases = this.phases.get(asset) ?? new Map<number, RoundState[]>();
    return [...phases.keys()]
      .sort((a, b) => a - b)
      .flatMap((phase) =>
        (phases.get(phase) ?? []).map((r) => ({
          phase,
          aggregatorRound: r.aggregatorRound,
          answer: r.answer,
          updatedAt: Number(r.updatedAt),
        })),
      );
  }

  private get phaseId(): number {
    return this.options.phaseId ?? 5;
  }

  /** A proxy's `getRoundData(roundId)`: the round of that phase, or the revert of a round that never was. */
  private getRoundData(
    feed: ChainlinkFeedSpec,
    data: Hex,
    ok: (r: unknown) => RpcResponse,
    err: (code: number, message: string, data?: unknown) => RpcResponse,
  ): RpcResponse {
    this.stats.historyReads[feed.asset] = (this.stats.historyReads[feed.asset] ?? 0) + 1;
    const { args } = decodeFunctionData({ abi: AGGREGATOR_V3_ABI, data });
    const roundId = (args as readonly [bigint])[0];
    this.ensureHistory(feed, this.options.clock.now());
    const phase = Number(roundId >> 64n);
    const aggregatorRound = roundId & ((1n << 64n) - 1n);
    const round =
      aggregatorRound >= 1n
        ? this.phases.get(feed.asset)?.get(phase)?.[Number(aggregatorRound) - 1]
        : undefined;
    if (!round) return err(3, 'execution reverted: No data present', NO_DATA_REVERT);
    return ok(
      encodeFunctionResult({
        abi: AGGREGATOR_V3_ABI,
        functionName: 'getRoundData',
        result: [roundId, round.answer, round.startedAt, round.updatedAt, roundId],
      }),
    );
  }

  /** Generates the feed's past once, up to `now`: irregular rounds, the earlier ones in the previous phase. */
  private ensureHistory(feed: ChainlinkFeedSpec, now: Date): void {
    if (this.phases.has(feed.asset)) return;
    const phases = new Map<number, RoundState[]>();
    this.phases.set(feed.asset, phases);
    const history = this.options.history;
    if (!history) return;
    const random = seededRandom(
      (history.seed ?? 1) + [...feed.asset].reduce((h, c) => h * 31 + c.charCodeAt(0), 7),
    );
    const heartbeatMs = (feed.heartbeatSeconds ?? 3600) * 1000;
    const change = history.phaseChangeAt?.getTime();
    const decimals = feed.decimals ?? 8;
    const deviation = feed.deviationThreshold ?? 0;
    let last: { t: number; price: number } | undefined;
    // Checks 10–20 minutes apart: the heartbeat gap leaves room for the last check, so no round is late.
    const nextGap = () => Math.max(600_000, heartbeatMs - 1_200_000) * (0.2 + 0.8 * random());
    let gap = nextGap();
    // The node checks every 10–20 minutes (irregularly): a round when the price moved past the deviation
    // trigger, or when the irregular heartbeat gap (20–100 % of the heartbeat) has passed.
    for (let t = history.from.getTime(); t < now.getTime(); t += 600_000 * (1 + random())) {
      let price: number | undefined;
      try {
        price = this.options.price(feed.asset, new Date(t));
      } catch {
        price = undefined; // no quote at that time: the feed had no round
      }
      if (price === undefined || !Number.isFinite(price) || price <= 0) continue;
      const due =
        !last ||
        t - last.t >= gap ||
        (deviation > 0 && Math.abs(price - last.price) / last.price > deviation);
      if (!due) continue;
      const phase = change !== undefined && t < change ? this.phaseId - 1 : this.phaseId;
      const list = phases.get(phase) ?? [];
      phases.set(phase, list);
      const at = BigInt(Math.floor(t / 1000));
      list.push({
        aggregatorRound: BigInt(list.length + 1),
        answer: toScaledInteger(price, decimals),
        startedAt: at,
        updatedAt: at,
      });
      last = { t, price };
      gap = nextGap();
    }
    // Live rounds continue the current phase's numbering.
    const latest = phases.get(this.phaseId)?.at(-1);
    if (latest) this.rounds.set(feed.asset, latest);
  }

  /** The feed's latest round at `now`, opening a new one when deviation or heartbeat says so. */
  private currentRound(feed: ChainlinkFeedSpec, now: Date): RoundState {
    const decimals = feed.decimals ?? 8;
    const price = this.options.price(feed.asset, now);
    if (!Number.isFinite(price)) throw new Error(`price is ${price}`);
    const answer = toScaledInteger(price, decimals);
    const nowSec = BigInt(Math.floor(now.getTime() / 1000));
    const last = this.rounds.get(feed.asset);
    const heartbeat = BigInt(feed.heartbeatSeconds ?? 3600);
    const deviation = feed.deviationThreshold ?? 0;
    const moved =
      last !== undefined &&
      (deviation === 0
        ? answer !== last.answer
        : Math.abs(Number(answer - last.answer)) / Math.abs(Number(last.answer)) > deviation);
    if (last && !moved && nowSec - last.updatedAt < heartbeat) return last;
    const next: RoundState = {
      aggregatorRound: (last?.aggregatorRound ?? 0n) + 1n,
      answer,
      startedAt: nowSec,
      updatedAt: nowSec,
    };
    this.rounds.set(feed.asset, next);
    const phases = this.phases.get(feed.asset);
    if (phases) {
      const list = phases.get(this.phaseId) ?? [];
      phases.set(this.phaseId, list);
      list.push(next);
    }
    return next;
  }

  private faulted(
    feed: ChainlinkFeedSpec,
    round: RoundState,
    now: Date,
    fault: AnswerFault | undefined,
  ): RoundState {
    const decimals = feed.decimals ?? 8;
    const nowSec = BigInt(Math.floor(now.getTime() / 1000));
    switch (fault) {
      case 'stale': {
        // A frozen feed: an old round, well past heartbeat, with the price of that time.
        const age = Math.round((feed.heartbeatSeconds ?? 3600) * (2 + this.chaos.next()));
        const then = new Date(now.getTime() - age * 1000);
        const answer = toScaledInteger(this.options.price(feed.asset, then), decimals);
        const at = nowSec - BigInt(age);
        return { aggregatorRound: round.aggregatorRound, answer, startedAt: at, updatedAt: at };
      }
      case 'zero-answer':
        return { ...round, answer: 0n };
      case 'negative-answer':
        return { ...round, answer: -(round.answer === 0n ? 1n : round.answer) };
      case 'wild-price': {
        const wild = toScaledInteger(this.options.price(feed.asset, now) * this.chaos.wildFactor(), decimals);
        return { ...round, answer: wild, startedAt: nowSec, updatedAt: nowSec };
      }
      case 'future-timestamp': {
        const ahead = BigInt(3600 + Math.round(this.chaos.next() * 3600));
        return { ...round, startedAt: nowSec + ahead, updatedAt: nowSec + ahead };
      }
      case 'zero-timestamp':
        return { ...round, startedAt: 0n, updatedAt: 0n };
      default:
        return round;
    }
  }
}

/** The feeds of a PriceFeedConfig, so the local node serves exactly what the client will ask for. */
export function chainlinkFeedSpecs(config: PriceFeedConfig): ChainlinkFeedSpec[] {
  return config.assets.flatMap((a) =>
    a.chainlink
      ? [
          {
            asset: a.asset,
            proxy: a.chainlink.proxy,
            decimals: a.chainlink.decimals,
            heartbeatSeconds: a.chainlink.heartbeatSeconds,
            deviationThreshold: a.chainlink.deviationThreshold,
          },
        ]
      : [],
  );
}

/** Convenience: construct and start; the server object stays reachable for stats and phase changes. */
export async function startChainlinkRpcServer(
  options: ChainlinkRpcServerOptions,
): Promise<RunningServer & { server: ChainlinkRpcServer }> {
  const server = new ChainlinkRpcServer(options);
  const running = await server.start();
  return { ...running, server };
}
