// Audio that is asked for again and again (prompts, hold music) kept in an
// LRU bounded by bytes. Concurrent requests for one key share one load.
// Returned arrays are shared between callers: read-only.

export class AudioCache {
  private readonly done = new Map<string, Int16Array>(); // oldest first
  private readonly inFlight = new Map<string, Promise<Int16Array>>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The audio kept under `key`, else the one `load` running for it, else a new `load`. */
  get(key: string, load: () => Promise<Int16Array>): Promise<Int16Array> {
    const hit = this.done.get(key);
    if (hit) {
      this.done.delete(key); // re-insert: most recently used goes last
      this.done.set(key, hit);
      return Promise.resolve(hit);
    }
    let running = this.inFlight.get(key);
    if (!running) {
      running = load()
        .then((samples) => {
          this.store(key, samples);
          return samples;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, running);
    }
    return running;
  }

  private store(key: string, samples: Int16Array): void {
    if (samples.byteLength > this.maxBytes) return;
    this.done.set(key, samples);
    this.bytes += samples.byteLength;
    for (const [oldKey, old] of this.done) {
      if (this.bytes <= this.maxBytes) break;
      this.done.delete(oldKey);
      this.bytes -= old.byteLength;
    }
  }
}
