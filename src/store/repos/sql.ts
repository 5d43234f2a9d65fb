// Small SQL pieces that must behave the same on SQLite and PostgreSQL.
import { sql, type RawBuilder, type SqlBool } from 'kysely';

/** LIKE treats % and _ as wildcards; a user's search text must not. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/**
 * The named columns of `patch` (undefined values left out). Every update
 * writes through this, so a column reaches SQL only when its repository
 * names it as writable, whatever object the caller hands in.
 */
export function only<T extends object, K extends keyof T & string>(patch: T, columns: readonly K[]): Pick<T, K> {
  const out: Partial<Pick<T, K>> = {};
  for (const c of columns) if (patch[c] !== undefined) out[c] = patch[c];
  // An UPDATE with an empty SET is a syntax error: callers refuse "nothing to change" first.
  if (Object.keys(out).length === 0) throw new Error(`update with none of ${columns.join(', ')}`);
  return out as Pick<T, K>;
}

/** Case-insensitive "column contains text" (SQLite's LIKE ignores case, PostgreSQL's does not). */
export function containsText(column: string, text: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${'%' + escapeLike(text.toLowerCase()) + '%'} escape '\\'`;
}

/**
 * Rows per multi-row INSERT (or ids per `IN` list). A statement binds at
 * most 32,766 parameters on SQLite and 65,535 on PostgreSQL; 500 rows stay
 * under both for tables of up to 65 columns.
 */
const ROWS_PER_STATEMENT = 500;

/** `rows` in slices small enough for one statement each. */
export function* slices<T>(rows: readonly T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) yield rows.slice(i, i + ROWS_PER_STATEMENT);
}

/** Lengths up to this are a prepared statement's shape of their own; longer lists go in power-of-two pieces first. */
const EXACT_UP_TO = 16;
/** The largest piece: a power of two under ROWS_PER_STATEMENT. */
const LARGEST_PIECE = 256;

/**
 * `rows` in slices for a prepared statement (prepared.ts), which is compiled
 * once per length of its list: up to 16 rows are one slice; more go first in
 * pieces of 256, 128, 64 or 32 (37 rows: 32, then 5). So any list is made of
 * at most 20 lengths rather than one each — under load, when a turn's
 * batches grew long and every length was new, statements were compiled
 * again and again.
 */
export function* preparedSlices<T>(rows: readonly T[]): Generator<T[]> {
  let i = 0;
  while (rows.length - i > EXACT_UP_TO) {
    let n = LARGEST_PIECE;
    while (n > rows.length - i) n >>= 1;
    yield rows.slice(i, i + n);
    i += n;
  }
  if (i < rows.length) yield rows.slice(i);
}
