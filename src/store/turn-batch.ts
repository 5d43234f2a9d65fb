// Writes asked for in the same turn of the event loop go to the database
// together: when thousands of calls end at once, one statement and one
// commit per batch instead of one per row. Batches are written one after
// another, in the order they were asked for; a batch that fails fails every
// write in it.
interface Waiter<R> {
  resolve(result: R): void;
  reject(err: unknown): void;
}

export class TurnBatch<T, R = void> {
  private items: T[] = [];
  private waiters: Waiter<R>[] = [];
  private writing: Promise<void> = Promise.resolve();

  /** `write` stores the items and returns one result per item (or nothing, for R = void). */
  constructor(private readonly write: (items: T[]) => Promise<R[] | void>) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.items.length === 0) setImmediate(() => this.flush());
      this.items.push(item);
      this.waiters.push({ resolve, reject });
    });
  }

  /** Resolves once everything asked for so far is written (or failed). */
  async drain(): Promise<void> {
    this.flush();
    await this.writing;
  }

  private flush(): void {
    if (this.items.length === 0) return;
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    this.writing = this.writing.then(async () => {
      try {
        const results = await this.write(items);
        waiters.forEach((w, i) => w.resolve(results?.[i] as R));
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    });
  }
}
