/**
 * The shape margin detection and risk-limit evaluation share for a risk batch: decided in one transaction per
 * chunk of portfolios, then each portfolio's events delivered once, after its last decision in the batch.
 */

/** `decide` over consecutive chunks of at most `size` items, its results in the items' order. */
export async function decideInChunks<T, R>(
  items: readonly T[],
  size: number,
  decide: (chunk: readonly T[]) => Promise<R[]>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await decide(items.slice(i, i + size))));
  return out;
}

/** Per portfolio, the indexes of its decided observations (those `decided` accepts), in batch order. */
export function decidedByPortfolio(
  risks: readonly { portfolioId: string }[],
  decided: (index: number) => boolean,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  risks.forEach((r, i) => {
    if (!decided(i)) return;
    const seen = out.get(r.portfolioId);
    if (seen) seen.push(i);
    else out.set(r.portfolioId, [i]);
  });
  return out;
}
