/** The batch shape margin detection and risk limits share: chunked decisions, and per portfolio its decided ones. */
import { decidedByPortfolio, decideInChunks } from '../../../shared/use-cases/batch-decisions';

describe('decideInChunks', () => {
  it('decides consecutive chunks of at most the size, one after the other, results in item order', async () => {
    const chunks: number[][] = [];
    const out = await decideInChunks([1, 2, 3, 4, 5], 2, async (chunk) => {
      chunks.push([...chunk]);
      return chunk.map((x) => x * 10);
    });
    expect(chunks).toEqual([[1, 2], [3, 4], [5]]);
    expect(out).toEqual([10, 20, 30, 40, 50]);
    expect(await decideInChunks([], 2, async () => [1])).toEqual([]);
  });
});

describe('decidedByPortfolio', () => {
  it('lists each portfolio’s decided observations in batch order, leaving out those not decided', () => {
    const risks = ['a', 'b', 'a', 'c', 'a'].map((portfolioId) => ({ portfolioId }));
    const groups = decidedByPortfolio(risks, (i) => i !== 3 && i !== 4);
    expect([...groups]).toEqual([
      ['a', [0, 2]],
      ['b', [1]],
    ]);
  });
});
