// The platform's time filters (`add_time`, `add_time__gt`, … `__lte`) as one
// [from, to) window. Values are UTC "YYYY-MM-DD HH:MM[:ss[.uuuuuu]]"; an
// exact value selects the whole minute, second or millisecond it names.
import { ApiError } from '../errors.ts';
import type { Range } from '../store/repos/calls.ts';

const TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/;

/** The instant a filter value names and how long the span it names lasts. */
export function parseFilterTime(field: string, value: string): { at: number; span: number } {
  const m = TIME.exec(value.trim());
  const at = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0), Math.floor(+(m[7] ?? '0').padEnd(6, '0') / 1000)) : NaN;
  if (!m || Number.isNaN(at) || new Date(at).getUTCDate() !== +m[3]!) {
    throw new ApiError(400, `${field} "${value}" must be a UTC time as YYYY-MM-DD HH:MM[:ss[.uuuuuu]]`);
  }
  return { at, span: m[7] !== undefined ? 1 : m[6] !== undefined ? 1000 : 60_000 };
}

/** The window the five forms of filter `name` in `q` select; both ends undefined when none is given. */
export function timeRange(name: string, query: object): Range {
  const q = query as Readonly<Record<string, unknown>>;
  const from: number[] = [];
  const to: number[] = [];
  const value = (suffix: string) => {
    const v = q[name + suffix];
    return typeof v === 'string' && v !== '' ? parseFilterTime(name + suffix, v) : undefined;
  };
  const exact = value('');
  if (exact) {
    from.push(exact.at);
    to.push(exact.at + exact.span);
  }
  const gt = value('__gt');
  if (gt) from.push(gt.at + gt.span);
  const gte = value('__gte');
  if (gte) from.push(gte.at);
  const lt = value('__lt');
  if (lt) to.push(lt.at);
  const lte = value('__lte');
  if (lte) to.push(lte.at + lte.span);
  return { from: from.length ? Math.max(...from) : undefined, to: to.length ? Math.min(...to) : undefined };
}
