// Copying G.711 payload bytes four at a time. A worker copies every packet's
// payload (a shared prompt's frame into the packet, a received payload into
// the jitter buffer): 40 word copies instead of 160 byte copies a frame.
// `subarray` + `set` would make a view per packet (garbage on the hot path).

/** Copies bytes word by word where both sides line up on four bytes; keeps a word view of the last source buffer (made once per buffer, not per packet). */
export class WordCopy {
  private source: ArrayBufferLike | null = null;
  private sourceWords: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

  /** `n` bytes of `from` at `start` into `to` at `at`; `toWords` is a word view of all of `to`'s buffer. */
  copy(to: Uint8Array, toWords: Uint32Array, at: number, from: Uint8Array, start: number, n: number): void {
    let k = 0;
    const src = from.byteOffset + start;
    const dst = to.byteOffset + at;
    if (((src | dst) & 3) === 0) {
      const buffer = from.buffer;
      if (buffer !== this.source) {
        this.source = buffer;
        this.sourceWords = new Uint32Array(buffer, 0, buffer.byteLength >> 2);
      }
      const words = this.sourceWords;
      const fromWord = src >> 2;
      const toWord = dst >> 2;
      const count = n >> 2;
      for (let w = 0; w < count; w++) toWords[toWord + w] = words[fromWord + w]!;
      k = count << 2;
    }
    for (; k < n; k++) to[at + k] = from[start + k]!;
  }
}
