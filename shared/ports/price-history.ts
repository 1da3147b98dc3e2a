/**
 * Historical reads of the price sources, for the history backfill: Chainlink rounds by proxy round id, Pyth
 * updates by publish time. A failure to read (network, rate limit, node fault) throws a HistoryReadError; a
 * round or an update that does not exist is not a failure and comes back as undefined / absent.
 */
import type { HistoricalPythPrice } from '../domain/prices/history-close';

export interface ChainlinkRound {
  roundId: bigint;
  /** The answer scaled by the feed's decimals. */
  answer: number;
  /** Unix seconds. */
  updatedAt: number;
}

export interface ChainlinkRoundHistory {
  latestRound(asset: string): Promise<ChainlinkRound>;
  /** The rounds with these proxy round ids, in order; undefined where the feed has no such round. */
  rounds(asset: string, roundIds: readonly bigint[]): Promise<(ChainlinkRound | undefined)[]>;
  /** Assets this reader has a feed for. */
  has(asset: string): boolean;
}

export interface PythPriceHistory {
  /** Per asset, the first update published at or after `publishTime` (unix seconds); absent when there is none. */
  pricesAt(assets: readonly string[], publishTime: number): Promise<Map<string, HistoricalPythPrice>>;
  has(asset: string): boolean;
}

export class HistoryReadError extends Error {
  constructor(
    readonly source: 'chainlink' | 'pyth',
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'HistoryReadError';
  }
}
