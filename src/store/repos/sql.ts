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
