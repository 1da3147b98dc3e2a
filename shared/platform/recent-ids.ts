/**
 * The last `capacity` ids added, oldest forgotten first: an instance's memory of facts that never change once
 * true (an outbox entry delivered), so it can skip re-reading them. Forgetting only costs a read.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity ${capacity}: a whole number ≥ 1`);
  }

  add(id: string): void {
    this.ids.delete(id); // re-added: now the newest
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
