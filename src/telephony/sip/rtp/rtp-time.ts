// The media workers' time: a monotonic clock in milliseconds that reads the
// same in every thread of the process (the kernel's CLOCK_MONOTONIC, as
// process.hrtime gives it), read through performance.now() for speed.
// Workers pace and timestamp with it; the main thread converts to and from
// the platform clock at the moment it sends or receives, so a platform time
// P and a worker time M relate as P = M + (clock.now() − monoNow()).

const ORIGIN = Number(process.hrtime.bigint()) / 1e6 - performance.now();

export const monoNow = (): number => ORIGIN + performance.now();

/** A session's ticks are 20 ms apart, one packet each. */
export const TICK_MS = 20;
/**
 * A worker serves its sessions in PHASES groups, one every PHASE_MS: each
 * session still ticks every 20 ms, but a step only does a quarter of the
 * work, so the last packet of a step leaves a quarter as late as it would
 * if every session ticked at once.
 */
export const PHASES = 4;
export const PHASE_MS = TICK_MS / PHASES;

/**
 * The tick nearest `mono` on a grid whose tick 0 is at `t0`. Nearest, not
 * next: runs queued back to back by the main thread land on consecutive
 * ticks even when the platform/monotonic offset moved a little between them.
 */
export const tickNearest = (mono: number, t0: number): number => Math.round((mono - t0) / TICK_MS);
