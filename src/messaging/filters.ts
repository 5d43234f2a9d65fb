// The list filters of GET /Message/: message_time in its five forms
// (YYYY-MM-DD HH:MM[:ss[.uuuuuu]], UTC) turned into a [from, to) window.
import { parseFilterTime as parseTime } from '../platform/time-range.ts';

export interface TimeFilters {
  message_time?: string;
  message_time__gt?: string;
  message_time__gte?: string;
  message_time__lt?: string;
  message_time__lte?: string;
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
