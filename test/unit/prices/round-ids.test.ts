/**
 * Chainlink proxy round ids are uint80: the phase in the top 16 bits, the aggregator's own round in the low
 * 64. A wrong split sends the history walk to a round that does not exist, or to another phase's price.
 */
import { proxyRoundId, splitRoundId } from '../../../shared/domain/prices/round-ids';

const TWO_64 = 1n << 64n;

describe('Chainlink proxy round ids', () => {
  it('split a proxy id into its phase and aggregator round, and pack them back', () => {
    const id = 110680464442257314255n; // 6 · 2^64 + 4559
    expect(id).toBe(6n * TWO_64 + 4559n);
    expect(splitRoundId(id)).toEqual({ phase: 6, aggregatorRound: 4559n });
    expect(proxyRoundId(6, 4559n)).toBe(id);
  });

  it('keep the whole 64-bit aggregator round and the whole 16-bit phase', () => {
    const largest = proxyRoundId(0xffff, TWO_64 - 1n);
    expect(largest).toBe((1n << 80n) - 1n);
    expect(splitRoundId(largest)).toEqual({ phase: 0xffff, aggregatorRound: TWO_64 - 1n });
    expect(proxyRoundId(1, 1n)).toBe(TWO_64 + 1n);
    expect(splitRoundId(TWO_64 + 1n)).toEqual({ phase: 1, aggregatorRound: 1n });
  });

  it('read a pre-proxy id (phase 0) as a bare aggregator round', () => {
    expect(splitRoundId(4559n)).toEqual({ phase: 0, aggregatorRound: 4559n });
  });

  it('refuse phases outside 1..65535, naming the phase', () => {
    expect(() => proxyRoundId(0, 1n)).toThrow('phase 0 is not in 1..65535');
    expect(() => proxyRoundId(0x10000, 1n)).toThrow('phase 65536 is not in 1..65535');
    expect(() => proxyRoundId(2.5, 1n)).toThrow('phase 2.5 is not in 1..65535');
    expect(() => proxyRoundId(-1, 1n)).toThrow(RangeError);
  });

  it('refuse aggregator round 0 and rounds that would spill into the phase bits', () => {
    expect(() => proxyRoundId(3, 0n)).toThrow('aggregator round 0 is not in 1..2^64-1');
    expect(() => proxyRoundId(3, TWO_64)).toThrow(`aggregator round ${TWO_64} is not in 1..2^64-1`);
    expect(() => proxyRoundId(3, -1n)).toThrow(RangeError);
  });
});
