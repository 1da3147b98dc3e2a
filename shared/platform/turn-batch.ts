/**
 * Gathers the calls made during one turn of the event loop and hands them to `run` together on the next: an
 * instance with many handlers in flight makes one request where it would make one per handler (the document
 * store's reads: one batched read costs about what one read costs). Each caller gets its own result; a failed
 * batch rejects every caller in it, as each call alone would have failed.
 *
 * With `maxInFlight`, it is a group commit: while that many batches are out, new calls wait and go together
 * when one comes back. An idle instance sends at once; a busy one sends fewer, larger batches, and no caller
 * waits on a timer.
 */
export interface TurnBatchOptions<I> {
  /** Batches out at once; more calls queue for the next free slot. Default: no limit. */
  maxInFlight?: number;
  /** How much of `maxSize` one input takes (e.g. its rows); default 1. An input is never split. */
  weight?: (input: I) => number;
}

interface Queued<I, O> {
  input: I;
  weight: number;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

export class TurnBatch<I, O> {
  private queue: Queued<I, O>[] = [];
  private queuedWeight = 0;
  private scheduled = false;
  private readonly out = new Set<Promise<void>>();
  private readonly maxInFlight: number;
  private readonly weight: (input: I) => number;

  constructor(
    /** Answers the inputs in order, one output per input. */
    private readonly run: (inputs: I[]) => Promise<O[]>,
    /** A batch this large goes at once (a slot permitting) rather than at the end of the turn. */
    private readonly maxSize: number,
    options: TurnBatchOptions<I> = {},
  ) {
    if (!Number.isInteger(maxSize) || maxSize < 1)
      throw new RangeError(`maxSize ${maxSize}: a whole number ≥ 1`);
    this.maxInFlight = options.maxInFlight ?? Infinity;
    if (!(this.maxInFlight >= 1)) throw new RangeError(`maxInFlight ${this.maxInFlight}: at least 1`);
    this.weight = options.weight ?? (() => 1);
  }

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const weight = this.weight(input);
      this.queue.push({ input, weight, resolve, reject });
      this.queuedWeight += weight;
      if (this.queuedWeight >= this.maxSize) this.drain();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  /** Calls queued and not yet handed to `run`. */
  get pending(): number {
    return this.queue.length;
  }

  /** Resolves once nothing is queued, scheduled or out (to close what `run` writes to). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.scheduled) await new Promise<void>((r) => setImmediate(r));
      else if (this.out.size) await Promise.all(this.out);
      // Nothing scheduled or out means nothing queued: a queue waits only for a turn's end or a free slot.
      else return;
    }
  }

  private drain(): void {
    while (this.out.size < this.maxInFlight && this.queue.length) {
      let size = 0;
      let n = 0;
      while (n < this.queue.length && (n === 0 || size + this.queue[n].weight <= this.maxSize))
        size += this.queue[n++].weight;
      const batch = this.queue.slice(0, n);
      this.queue = this.queue.slice(n);
      this.queuedWeight -= size;
      const done = this.send(batch).finally(() => {
        this.out.delete(done);
        this.drain();
      });
      this.out.add(done);
    }
  }

  private async send(batch: Queued<I, O>[]): Promise<void> {
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
