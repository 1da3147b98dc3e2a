/**
 * Runs `fn` over `items` with at most `concurrency` at once and waits for all of them: one failure does not
 * stop the others (each item is independent work, e.g. one portfolio of a batch), and the first failure is
 * thrown once every item has run, so the whole message is redelivered and the finished items see a repeat.
 */
export async function forEachSettled<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const outcomes: R[] = new Array(items.length);
  const failures: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        outcomes[i] = await fn(items[i]);
      } catch (err) {
        failures.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failures.length) throw failures[0];
  return outcomes;
}
