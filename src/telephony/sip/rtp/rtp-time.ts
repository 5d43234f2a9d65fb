// The media workers' time: a monotonic clock in milliseconds that reads the
// same in every thread of the process (the kernel's CLOCK_MONOTONIC, as
// process.hrtime gives it), read through performance.now() for speed.
// Workers pace and timestamp with it; the main thread converts to and from
// the platform clock at the moment it sends or receives, so a platform time
// P and a worker time M relate as P = M + (clock.now() − monoNow()).

const ORIGIN = Number(process.hrtime.bigint()) / 1e6 - performance.now();

export const monoNow = (): number => ORIGIN + performance.now();

/** Ticks are 20 ms apart from each worker's tick 0. */
export const TICK_MS = 20;

/** The first tick at or after `mono` on a grid whose tick 0 is at `t0`. */
export const tickAtOrAfter = (mono: number, t0: number): number => Math.ceil((mono - t0) / TICK_MS - 1e-6);
