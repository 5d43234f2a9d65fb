// Waiting for something that real I/O will bring: fails loudly, saying what
// did not come, instead of hanging until the runner kills the whole file (and
// every later test of it with it). A bound is a failure message, never a
// measurement: it is long enough that only something that will never come
// reaches it on a crowded machine.

/** The bound on a wait for something that should come: well inside the runner's 180 s per test file. */
export const WAIT_MS = 60_000;

/** Polls `cond` until it holds (`what` is called on failure, so it can show what came instead). */
export async function until(cond: () => boolean | Promise<boolean>, what: string | (() => string), limitMs = WAIT_MS): Promise<void> {
  const started = Date.now();
  while (!(await cond())) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * `promise`, or, when it has not settled within `limitMs`, a failure saying
 * what was awaited (`what` is called then, so it can show what came instead).
 * Its timer never keeps the process alive, and a bound nobody awaits any more
 * (the loser of a race) does not fail the file as an unhandled rejection.
 */
export function within<T>(promise: Promise<T>, what: string | (() => string), limitMs = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${limitMs / 1000} s waiting for ${typeof what === 'function' ? what() : what}`)), limitMs);
    timer.unref();
  });
  const bounded = Promise.race([promise, expired]).finally(() => clearTimeout(timer));
  bounded.catch(() => undefined);
  return bounded;
}
