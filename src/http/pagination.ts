// The spec's list envelope: {api_id, meta: {limit, offset, next, previous,
// total_count}, objects}. Every list route builds it here.
export interface Page {
  limit: number;
  offset: number;
}

export interface Meta {
  limit: number;
  offset: number;
  next: string | null;
  previous: string | null;
  total_count: number;
  /** The multiparty call lists' examples name the total `count`. */
  count?: number;
}

export const DEFAULT_LIMIT = 20;

export function pageOf(query: { limit?: number; offset?: number }): Page {
  return { limit: query.limit ?? DEFAULT_LIMIT, offset: query.offset ?? 0 };
}

/** `url` is the request URL (path + query); next/previous keep every other filter. */
export function metaFor(url: string, page: Page, total: number): Meta {
  const link = (offset: number): string => {
    const u = new URL(url, 'http://x');
    u.searchParams.set('limit', String(page.limit));
    u.searchParams.set('offset', String(offset));
    return `${u.pathname}?${u.searchParams.toString()}`;
  };
  return {
    limit: page.limit,
    offset: page.offset,
    next: page.offset + page.limit < total ? link(page.offset + page.limit) : null,
    previous: page.offset > 0 ? link(Math.max(0, page.offset - page.limit)) : null,
    total_count: total,
  };
}

export function listBody<T>(apiId: string, url: string, page: Page, total: number, objects: T[]) {
  return { api_id: apiId, meta: metaFor(url, page, total), objects };
}

/** A list whose spec example shows `meta.count` (multiparty calls and their participants); `total_count` stays too. */
export function countedListBody<T>(apiId: string, url: string, page: Page, total: number, objects: T[]) {
  return { api_id: apiId, meta: { ...metaFor(url, page, total), count: total }, objects };
}
