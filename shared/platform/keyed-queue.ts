/**
 * Runs work one at a time per key, in arrival order, and different keys at once. Used where two requests on
 * one document in the same instance would otherwise race each other in the store (a transaction conflict and
 * a retry, or on the emulator a lock timeout of seconds) when waiting a few milliseconds for the first is
 * cheaper. Only within one process: across instances the store's transaction still decides.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // The last one out removes the key, so idle keys cost nothing.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}
