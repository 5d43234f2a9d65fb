// Queries a call runs every time (its number's owner, its hold released,
// its debug-log rows, its live row and record) built and compiled once.
// Kysely builds each query as a tree of frozen nodes and compiles the tree
// to SQL whenever it runs: about ten such statements per call were a tenth
// of the main thread at hundreds of calls a second, and their garbage. A
// prepared query is built once per dialect and shape of its values with a
// marker where each value goes; a later run puts its values where the
// markers were. The SQL is the text Kysely writes for those values.
import type { CompiledQuery, QueryResult } from 'kysely';
import type { Executor } from './repos/accounts.ts';
import { runNow } from './sqlite-fifo-driver.ts';

/** Shapes kept per query and dialect (the oldest goes first). */
const MAX_SHAPES = 64;

/** Where a value goes while the query is compiled: its path in the run's values. */
class Marker {
  constructor(readonly path: readonly (string | number)[]) {}
  toString(): string {
    // Kysely writes immediate values (e.g. `is` null, literals) into the SQL text: such a value cannot be bound later.
    throw new Error(`a prepared query's value ${this.path.join('.')} was written into its SQL text: pass it as part of the query's shape`);
  }
}

/** `values` with a Marker in place of each value (each leaf). */
function mark(values: unknown, path: (string | number)[]): unknown {
  if (Array.isArray(values)) return values.map((v, i) => mark(v, [...path, i]));
  if (isPlainObject(values)) {
    const marked: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) if (v !== undefined) marked[k] = mark(v, [...path, k]);
    return marked;
  }
  // A Kysely expression in place of a value would be bound as one: the build must write it instead.
  if (typeof values === 'function' || (typeof values === 'object' && values !== null && 'toOperationNode' in values)) throw new Error(`a prepared query's value ${path.join('.')} is an expression: write it in the query, values are data`);
  return new Marker(path);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

/** The shape of `values`: arrays' lengths, plain objects' keys in order (undefined values left out, as Kysely leaves them out of an insert), which values outside arrays are null. */
function shapeOf(values: unknown, listed = false): string {
  if (Array.isArray(values)) {
    if (values.length === 0) return '[]';
    // Rows of one table: each flat row with the first one's keys has its shape, written once with their count
    // ([3x{…}] — an element's own shape never starts with a digit).
    const first = shapeOf(values[0], true);
    const keys = flatKeys(values[0]);
    let same = 1;
    while (same < values.length && keys !== undefined && hasFlatKeys(values[same], keys)) same++;
    let shape = `[${same}x${first}`;
    for (let i = same; i < values.length; i++) shape += `,${shapeOf(values[i], true)}`;
    return `${shape}]`;
  }
  if (isPlainObject(values)) {
    let shape = '{';
    for (const k in values) {
      const v = values[k];
      if (v !== undefined) shape += `${k}:${shapeOf(v, listed)},`;
    }
    return `${shape}}`;
  }
  // A null compared on its own may be written into the text (`is null`), which the first compile of a shape
  // checks; in a list or an inserted row Kysely always binds it.
  return values === null && !listed ? 'n' : '';
}

const isFlat = (v: unknown): boolean => v === null || typeof v !== 'object';

/** A plain object's keys with values (in order), when all its values are scalars; undefined otherwise. */
function flatKeys(row: unknown): string[] | undefined {
  if (!isPlainObject(row)) return undefined;
  const keys: string[] = [];
  for (const k in row) {
    const v = row[k];
    if (v === undefined) continue;
    if (!isFlat(v)) return undefined;
    keys.push(k);
  }
  return keys;
}

/** `row` is a plain object of scalars with exactly `keys` (in order) defined. */
function hasFlatKeys(row: unknown, keys: readonly string[]): boolean {
  if (!isPlainObject(row)) return false;
  let i = 0;
  for (const k in row) {
    const v = row[k];
    if (v === undefined) continue;
    if (k !== keys[i++] || !isFlat(v)) return false;
  }
  return i === keys.length;
}

/** One compiled shape: its query, and for each parameter the path of its value (or the constant Kysely put there). */
interface Compiled {
  query: CompiledQuery;
  params: ReadonlyArray<{ path: readonly (string | number)[] } | { constant: unknown }>;
}

function valueAt(values: unknown, path: readonly (string | number)[]): unknown {
  let v = values;
  for (let i = 0; i < path.length; i++) v = (v as Record<string | number, unknown>)[path[i]!];
  return v;
}

/**
 * A query built by `build` from `values` (scalars, arrays, plain objects:
 * each leaf the query uses is a bound value; others are left unused),
 * compiled once per dialect and shape of `values`. `build` sees markers,
 * not the values: it must not branch on them. What changes the SQL itself
 * (a column left out, `is null`) belongs in a query of its own.
 */
export function prepared<V, O>(build: (db: Executor, values: V) => { compile(): CompiledQuery<O> }): (db: Executor, values: V) => Promise<QueryResult<O>> {
  // Per dialect adapter: a database and its transactions share one, SQLite and PostgreSQL compile differently.
  const byDialect = new WeakMap<object, Map<string, Compiled>>();
  const compile = (db: Executor, values: V): Compiled => {
    const query = build(db, mark(values, []) as V).compile() as CompiledQuery;
    // Kysely writes some values into the text itself (`is null`, `is true`): such a query is not one shape.
    if (build(db, values).compile().sql !== query.sql) throw new Error('a prepared query\'s SQL depends on its values, not only their shape: write those values in the query');
    return { query, params: query.parameters.map((p) => (p instanceof Marker ? { path: p.path } : { constant: p })) };
  };
  return (db, values) => {
    const dialect = db.getExecutor().adapter;
    let shapes = byDialect.get(dialect);
    if (!shapes) byDialect.set(dialect, (shapes = new Map()));
    const shape = shapeOf(values);
    let compiled = shapes.get(shape);
    if (!compiled) {
      // Bounded: batches of every size up to a statement's slice are shapes of their own.
      if (shapes.size >= MAX_SHAPES) shapes.delete(shapes.keys().next().value!);
      shapes.set(shape, (compiled = compile(db, values)));
    }
    const parameters = compiled.params.map((p) => ('path' in p ? valueAt(values, p.path) : p.constant));
    const query = { ...(compiled.query as CompiledQuery<O>), parameters };
    return runNow<O>(db, query) ?? db.executeQuery<O>(query);
  };
}
