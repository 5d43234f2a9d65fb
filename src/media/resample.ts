// Rational-ratio polyphase resampler with a windowed-sinc low-pass, used to
// bring files and TTS (16k/22.05k/24k/44.1k/48k) down to 8 kHz and to carry
// 16 kHz stream audio. Streaming: state survives between `process` calls so
// 20 ms chunks join without clicks; one coefficient table per rate pair.

import { clamp16 } from './pcm.ts';

interface Table {
  up: number; // L: output steps per `down` input steps
  down: number; // M
  taps: number; // coefficients per phase (2T)
  lead: number; // T - 1: inputs needed before the centre sample
  coefficients: Float32Array; // phase-major, L × taps
}

const tables = new Map<string, Table>();

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zero crossings of the sinc on each side of the output instant. */
const HALF_TAPS = 12;

function buildTable(inRate: number, outRate: number): Table {
  const g = gcd(inRate, outRate);
  const up = outRate / g;
  const down = inRate / g;
  // Cut-off relative to the input's Nyquist, a little below the lower rate's
  // Nyquist so the transition band stays clear of aliasing.
  const cutoff = Math.min(1, up / down) * 0.92;
  const halfWidth = HALF_TAPS / cutoff; // in input samples
  const t = Math.ceil(halfWidth);
  const taps = 2 * t;
  const coefficients = new Float32Array(up * taps);
  for (let phase = 0; phase < up; phase++) {
    const frac = phase / up;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const x = j - (t - 1) - frac; // distance of input sample from the output instant
      const u = x / halfWidth;
      let h = 0;
      if (Math.abs(u) < 1) {
        const arg = Math.PI * cutoff * x;
        const sinc = arg === 0 ? 1 : Math.sin(arg) / arg;
        const window = 0.42 + 0.5 * Math.cos(Math.PI * u) + 0.08 * Math.cos(2 * Math.PI * u); // Blackman
        h = sinc * window;
      }
      coefficients[phase * taps + j] = h;
      sum += h;
    }
    // Unity DC gain on every phase, so silence stays silence and levels hold.
    for (let j = 0; j < taps; j++) coefficients[phase * taps + j] /= sum;
  }
  return { up, down, taps, lead: t - 1, coefficients };
}

function tableFor(inRate: number, outRate: number): Table {
  const key = `${inRate}:${outRate}`;
  let table = tables.get(key);
  if (!table) {
    table = buildTable(inRate, outRate);
    tables.set(key, table);
  }
  return table;
}

export class Resampler {
  private readonly table: Table;
  /** Input history; buf[0] is the sample at absolute index `base`. */
  private buf: Float32Array;
  private len: number;
  private base: number;
  /** Next output's centre input sample and phase (its position is centre + phase/up). */
  private centre = 0;
  private phase = 0;
  private received = 0;
  private produced = 0;

  constructor(
    readonly inRate: number,
    readonly outRate: number,
  ) {
    if (!(Number.isInteger(inRate) && inRate > 0 && Number.isInteger(outRate) && outRate > 0)) {
      throw new RangeError(`sample rates must be positive integers, got ${inRate} → ${outRate}`);
    }
    this.table = tableFor(inRate, outRate);
    // Samples before the start are silence: seed the history with `lead` zeros.
    this.buf = new Float32Array(Math.max(1024, this.table.taps * 2));
    this.len = this.table.lead;
    this.base = -this.table.lead;
  }

  /** Resample the next chunk; returns what can be computed so far (filter delay is held back until `flush`). */
  process(input: Int16Array): Int16Array {
    this.append(input);
    this.received += input.length;
    return this.drain(Infinity);
  }

  /** Emit the outputs that still depend on not-yet-seen input, as if silence followed. */
  flush(): Int16Array {
    this.append(new Int16Array(this.table.taps));
    const total = Math.ceil((this.received * this.table.up) / this.table.down);
    return this.drain(total - this.produced);
  }

  private append(input: Int16Array): void {
    if (this.len + input.length > this.buf.length) {
      const grown = new Float32Array(Math.max(this.buf.length * 2, this.len + input.length));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    for (let i = 0; i < input.length; i++) this.buf[this.len + i] = input[i];
    this.len += input.length;
  }

  private drain(limit: number): Int16Array {
    const { up, down, taps, lead, coefficients } = this.table;
    const step = Math.floor(down / up);
    const stepFrac = down % up;
    // How many outputs have all their inputs available: centre + taps - lead - 1 < base + len.
    const lastCentre = this.base + this.len - taps + lead; // inclusive
    let count = 0;
    for (let c = this.centre, p = this.phase; c <= lastCentre && count < limit; count++) {
      c += step;
      p += stepFrac;
      if (p >= up) {
        p -= up;
        c++;
      }
    }
    const out = new Int16Array(count);
    const buf = this.buf;
    let centre = this.centre;
    let phase = this.phase;
    for (let k = 0; k < count; k++) {
      const start = centre - lead - this.base;
      const row = phase * taps;
      let acc = 0;
      for (let j = 0; j < taps; j++) acc += buf[start + j] * coefficients[row + j];
      out[k] = clamp16(Math.round(acc));
      centre += step;
      phase += stepFrac;
      if (phase >= up) {
        phase -= up;
        centre++;
      }
    }
    this.centre = centre;
    this.phase = phase;
    this.produced += count;
    // Forget input no future output can reach.
    const keepFrom = centre - lead - this.base;
    if (keepFrom > 0) {
      this.buf.copyWithin(0, keepFrom, this.len);
      this.len -= keepFrom;
      this.base += keepFrom;
    }
    return out;
  }
}

/** Whole-buffer resampling (files, TTS output). */
export function resample(samples: Int16Array, inRate: number, outRate: number): Int16Array {
  if (inRate === outRate) return samples.slice();
  const r = new Resampler(inRate, outRate);
  const head = r.process(samples);
  const tail = r.flush();
  const out = new Int16Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
