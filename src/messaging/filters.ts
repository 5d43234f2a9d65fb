// The list filters of GET /Message/: message_time in its five forms
// (YYYY-MM-DD HH:MM[:ss[.uuuuuu]], UTC) turned into a [from, to) window.
import { ApiError } from '../errors.ts';

export interface TimeFilters {
  message_time?: string;
  message_time__gt?: string;
  message_time__gte?: string;
  message_time__lt?: string;
  message_time__lte?: string;
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/;

/** The instant a filter value names, and how long the span it names lasts (a minute, a second, or a millisecond). */
function parseTime(field: string, value: string): { at: number; span: number } {
  const m = TIME.exec(value.trim());
  const at = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0), Math.floor(+(m[7] ?? '0').padEnd(6, '0') / 1000)) : NaN;
  if (!m || Number.isNaN(at) || new Date(at).getUTCDate() !== +m[3]) {
    throw new ApiError(400, `${field} "${value}" must be a UTC time as YYYY-MM-DD HH:MM[:ss[.uuuuuu]]`);
  }
  return { at, span: m[7] !== undefined ? 1 : m[6] !== undefined ? 1000 : 60_000 };
}

/** The created_at window the filters select; an exact message_time selects the whole minute, second or millisecond it names. */
export function timeWindow(q: TimeFilters): { from?: number; to?: number } {
  const from: number[] = [];
  const to: number[] = [];
  if (q.message_time) {
    const t = parseTime('message_time', q.message_time);
    from.push(t.at);
    to.push(t.at + t.span);
  }
  if (q.message_time__gt) from.push(parseTime('message_time__gt', q.message_time__gt).at + 1);
  if (q.message_time__gte) from.push(parseTime('message_time__gte', q.message_time__gte).at);
  if (q.message_time__lt) to.push(parseTime('message_time__lt', q.message_time__lt).at);
  if (q.message_time__lte) to.push(parseTime('message_time__lte', q.message_time__lte).at + 1);
  return { from: from.length ? Math.max(...from) : undefined, to: to.length ? Math.min(...to) : undefined };
}
