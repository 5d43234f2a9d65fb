// Small SQL pieces that must behave the same on SQLite and PostgreSQL.
import { sql, type RawBuilder, type SqlBool } from 'kysely';

/** LIKE treats % and _ as wildcards; a user's search text must not. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** Case-insensitive "column contains text" (SQLite's LIKE ignores case, PostgreSQL's does not). */
export function containsText(column: string, text: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${'%' + escapeLike(text.toLowerCase()) + '%'} escape '\\'`;
}
