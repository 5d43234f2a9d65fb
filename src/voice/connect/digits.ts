/**
 * Keys matched against patterns as they are pressed (digitsMatch): a
 * pattern matches when the latest keys spell it; the keys that matched are
 * then forgotten, so "11" pressed twice over reports twice.
 */
export class DigitMatcher {
  private keys = '';
  private readonly longest: number;

  constructor(private readonly patterns: readonly string[]) {
    this.longest = Math.max(0, ...patterns.map((p) => p.length));
  }

  /** The pattern `key` completes, if any. */
  push(key: string): string | undefined {
    if (this.longest === 0) return undefined;
    this.keys = (this.keys + key).slice(-this.longest);
    const hit = this.patterns.find((p) => this.keys.endsWith(p));
    if (hit !== undefined) this.keys = '';
    return hit;
  }
}
