/**
 * Gathers the calls made during one turn of the event loop and hands them to `run` together on the next: an
 * instance with many handlers in flight makes one request where it would make one per handler (the document
 * store's reads: one batched read costs about what one read costs). Each caller gets its own result; a failed
 * batch rejects every caller in it, as each call alone would have failed.
 */
export class TurnBatch<I, O> {
  private queue: { input: I; resolve: (out: O) => void; reject: (err: unknown) => void }[] = [];

  constructor(
    /** Answers the inputs in order, one output per input. */
    private readonly run: (inputs: I[]) => Promise<O[]>,
    /** A batch this large goes at once rather than at the end of the turn. */
    private readonly maxSize: number,
  ) {
    if (!Number.isInteger(maxSize) || maxSize < 1)
      throw new RangeError(`maxSize ${maxSize}: a whole number ≥ 1`);
  }

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.queue.length >= this.maxSize) void this.flush();
      else if (this.queue.length === 1) setImmediate(() => void this.flush());
    });
  }

  /** Calls queued and not yet handed to `run`. */
  get pending(): number {
    return this.queue.length;
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    try {
      const out = await this.run(batch.map((b) => b.input));
      if (out.length !== batch.length)
        throw new Error(`a batch of ${batch.length} was answered with ${out.length} result(s)`);
      batch.forEach((b, i) => b.resolve(out[i] as O));
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }
}
