// Assertions the test tree shares.
import assert from 'node:assert/strict';

interface Listing<T> {
  readonly length: number;
  every(check: (item: T, index: number) => boolean): boolean;
}

/**
 * `check` holds for every item of `items`, and there are items: a claim
 * about every item of an empty list is true whatever the code did.
 */
export function assertEvery<T>(items: Listing<T>, check: (item: T, index: number) => boolean, message = 'every item passes'): void {
  assert.ok(items.length > 0, `${message}: the list is empty, so this proves nothing`);
  assert.ok(items.every(check), message);
}
