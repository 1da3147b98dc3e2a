/**
 * Chainlink proxy round ids: `(phaseId << 64) | aggregatorRoundId`. A proxy upgrade starts a new phase whose
 * aggregator counts again from 1, so `roundId − 1` at a phase's first round is `phase << 64 | 0`, which is no
 * round at all: walking history back means stepping into the previous phase explicitly. Pure.
 */

const AGGREGATOR_BITS = 64n;
const AGGREGATOR_MASK = (1n << AGGREGATOR_BITS) - 1n;
/** uint80 round ids leave 16 bits for the phase. */
const MAX_PHASE = 0xffff;

export interface RoundPosition {
  phase: number;
  aggregatorRound: bigint;
}

export function proxyRoundId(phase: number, aggregatorRound: bigint): bigint {
  if (!Number.isInteger(phase) || phase < 1 || phase > MAX_PHASE)
    throw new RangeError(`phase ${phase} is not in 1..${MAX_PHASE}`);
  if (aggregatorRound < 1n || aggregatorRound > AGGREGATOR_MASK)
    throw new RangeError(`aggregator round ${aggregatorRound} is not in 1..2^64-1`);
  return (BigInt(phase) << AGGREGATOR_BITS) | aggregatorRound;
}

export function splitRoundId(roundId: bigint): RoundPosition {
  return { phase: Number(roundId >> AGGREGATOR_BITS), aggregatorRound: roundId & AGGREGATOR_MASK };
}
