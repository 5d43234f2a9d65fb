// Frequency analysis: Goertzel for a few known frequencies (DTMF), an FFT
// peak for "which tone is this" (tests checking what a leg heard).

import { SAMPLE_RATE } from './frame.ts';

/**
 * Share of the block's energy carried by frequency `freq`: 1 for a pure tone
 * at that frequency lasting the whole block, near 0 when it is absent.
 * `coefficient` is 2·cos(2πf/rate), precomputed by callers on hot paths.
 */
export function goertzelShare(
  samples: Int16Array,
  start: number,
  end: number,
  coefficient: number,
  energy: number,
): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < end; i++) {
    const s0 = samples[i] + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return shareOf(s1, s2, coefficient, end - start, energy);
}

/**
 * `goertzelShare` for four frequencies in one pass over the samples, into
 * `out`: the four recurrences are independent, so the CPU runs them side by
 * side instead of waiting on one chain at a time (about three times
 * faster); each result is exactly what `goertzelShare` gives.
 */
export function goertzelShares4(samples: Int16Array, start: number, end: number, coefficients: readonly number[], energy: number, out: Float64Array): void {
  const c0 = coefficients[0]!;
  const c1 = coefficients[1]!;
  const c2 = coefficients[2]!;
  const c3 = coefficients[3]!;
  let a1 = 0;
  let a2 = 0;
  let b1 = 0;
  let b2 = 0;
  let d1 = 0;
  let d2 = 0;
  let e1 = 0;
  let e2 = 0;
  for (let i = start; i < end; i++) {
    const x = samples[i]!;
    const a0 = x + c0 * a1 - a2;
    const b0 = x + c1 * b1 - b2;
    const d0 = x + c2 * d1 - d2;
    const e0 = x + c3 * e1 - e2;
    a2 = a1;
    a1 = a0;
    b2 = b1;
    b1 = b0;
    d2 = d1;
    d1 = d0;
    e2 = e1;
    e1 = e0;
  }
  const n = end - start;
  out[0] = shareOf(a1, a2, c0, n, energy);
  out[1] = shareOf(b1, b2, c1, n, energy);
  out[2] = shareOf(d1, d2, c2, n, energy);
  out[3] = shareOf(e1, e2, c3, n, energy);
}

/** The larger of `goertzelShare` at two frequencies, both measured in one pass (each exactly what it gives alone; see goertzelShares4). */
export function goertzelShareMax2(samples: Int16Array, start: number, end: number, c0: number, c1: number, energy: number): number {
  let a1 = 0;
  let a2 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = start; i < end; i++) {
    const x = samples[i]!;
    const a0 = x + c0 * a1 - a2;
    const b0 = x + c1 * b1 - b2;
    a2 = a1;
    a1 = a0;
    b2 = b1;
    b1 = b0;
  }
  const n = end - start;
  return Math.max(shareOf(a1, a2, c0, n, energy), shareOf(b1, b2, c1, n, energy));
}

/** A Goertzel filter's last two states as a share of the block's energy (`n` samples). */
function shareOf(s1: number, s2: number, coefficient: number, n: number, energy: number): number {
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return energy > 0 ? (2 * power) / (n * energy) : 0;
}

export const goertzelCoefficient = (freq: number, rate = SAMPLE_RATE): number =>
  2 * Math.cos((2 * Math.PI * freq) / rate);

/** In-place iterative radix-2 FFT over `re`/`im` (length a power of two). */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = (-2 * Math.PI) / size;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let start = 0; start < n; start += size) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < size / 2; k++) {
        const a = start + k;
        const b = a + size / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        [cr, ci] = [cr * wr - ci * wi, cr * wi + ci * wr];
      }
    }
  }
}

/**
 * The strongest frequency in `samples` (Hann window, zero-padded FFT,
 * parabolic peak interpolation), or 0 for silence. Accurate to a few Hz for
 * a tone of 100 ms or more.
 */
export function dominantFrequency(samples: Int16Array, rate = SAMPLE_RATE): number {
  if (samples.length === 0) return 0;
  let n = 1;
  while (n < samples.length * 4) n <<= 1;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const last = samples.length - 1 || 1;
  for (let i = 0; i < samples.length; i++) re[i] = samples[i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / last));
  fft(re, im);
  const half = n / 2;
  const mag = new Float64Array(half + 1);
  let peak = 1;
  for (let k = 0; k <= half; k++) {
    mag[k] = Math.hypot(re[k], im[k]);
    if (k >= 1 && mag[k] > mag[peak]) peak = k;
  }
  if (mag[peak] === 0) return 0;
  let offset = 0;
  if (peak > 0 && peak < half) {
    const [a, b, c] = [mag[peak - 1], mag[peak], mag[peak + 1]];
    const denominator = a - 2 * b + c;
    if (denominator !== 0) offset = (0.5 * (a - c)) / denominator;
  }
  return ((peak + offset) * rate) / n;
}
