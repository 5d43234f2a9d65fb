// Failed Basic-auth attempts are budgeted per (client address, auth id): a
// token bucket of BUDGET failures that refills one every REFILL_MS. While a
// bucket is empty, requests naming that auth id from that address get 429
// without their token being checked (a checked answer would still be a guess
// for whoever is guessing). The owner elsewhere is never affected, a correct
// login never spends budget, and another auth id from the same address has
// its own bucket. Time is a rate limiter's wall time, injected so tests
// control it; the map is bounded so random auth ids cannot grow it.

export interface AuthLimiterOptions {
  /** Failures allowed in a burst. */
  budget?: number;
  /** One failure is forgiven per this many milliseconds. */
  refillMs?: number;
  /** Buckets kept at most (the oldest are forgotten first). */
  maxKeys?: number;
  /** Milliseconds on any monotonic clock. */
  now?: () => number;
}

export const AUTH_FAILURE_BUDGET = 10;
export const AUTH_REFILL_MS = 6_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class AuthLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly budget: number;
  private readonly refillMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(opts: AuthLimiterOptions = {}) {
    this.budget = opts.budget ?? AUTH_FAILURE_BUDGET;
    this.refillMs = opts.refillMs ?? AUTH_REFILL_MS;
    this.maxKeys = opts.maxKeys ?? 50_000;
    this.now = opts.now ?? (() => performance.now());
  }

  private bucket(address: string, authId: string): { key: string; bucket: Bucket | undefined } {
    const key = `${address}\u0000${authId}`;
    const bucket = this.buckets.get(key);
    if (bucket) {
      const now = this.now();
      const refilled = Math.floor((now - bucket.at) / this.refillMs);
      if (refilled > 0) {
        bucket.tokens = Math.min(this.budget, bucket.tokens + refilled);
        bucket.at += refilled * this.refillMs;
      }
      if (bucket.tokens >= this.budget) {
        this.buckets.delete(key);
        return { key, bucket: undefined };
      }
    }
    return { key, bucket };
  }

  /** Milliseconds until this address may try this auth id again (0: it may now). */
  retryAfter(address: string, authId: string): number {
    const { bucket } = this.bucket(address, authId);
    return bucket && bucket.tokens <= 0 ? Math.max(1, bucket.at + this.refillMs - this.now()) : 0;
  }

  /** Spend one failure from this address's budget for this auth id. */
  failed(address: string, authId: string): void {
    const { key, bucket } = this.bucket(address, authId);
    if (bucket) {
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      // Most recently failing last, so eviction drops the quietest first.
      this.buckets.delete(key);
      this.buckets.set(key, bucket);
      return;
    }
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(key, { tokens: this.budget - 1, at: this.now() });
  }
}
