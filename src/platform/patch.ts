// Updates change only what they name, and must name something.
import { ApiError } from '../errors.ts';

/**
 * `400 nothing to change` when every field of an update's input is absent
 * (a body of only unknown keys or nulls ends up here too): the message lists
 * what the route can change.
 */
export function assertSomethingToChange(input: Readonly<Record<string, unknown>>): void {
  if (Object.values(input).some((v) => v !== undefined)) return;
  throw new ApiError(400, `nothing to change: send at least one of ${Object.keys(input).join(', ')}`);
}
