// SQLite has one connection, so every query waits for it. Kysely's own
// SQLite driver makes waiters loop on one shared promise: each release wakes
// every waiter and all but one go back to sleep, so n queries waiting at
// once cost n² wake-ups (10,000 calls hanging up at once spent most of their
// time there). This driver hands the connection to waiters in arrival order,
// one wake-up each, and leaves the rest to Kysely's driver.
//
// A query the store runs on every call (prepared.ts) can also run at once,
// synchronously, when the connection is free or its own transaction holds
// it: the same statement on the same connection, without Kysely's
// connection hand-over (several promises per query, ~2 % of the main
// thread at hundreds of calls a second).
import Denque from 'denque';
import { Kysely, SqliteDialect, type CompiledQuery, type DatabaseConnection, type DialectAdapter, type Driver, type QueryResult, type SqliteDatabase, type SqliteDialectConfig, type TransactionSettings } from 'kysely';

class FifoDriver implements Driver {
  private held = false;
  private ready = false;
  private readonly waiting = new Denque<() => void>();

  constructor(private readonly inner: Driver) {}

  async init(): Promise<void> {
    await this.inner.init();
    this.ready = true;
  }

  /** Nobody holds the connection or waits for it: a statement run now cannot land inside another's transaction. */
  get free(): boolean {
    return this.ready && !this.held;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.held = true;
    return this.inner.acquireConnection();
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.inner.releaseConnection(connection);
    const next = this.waiting.shift();
    // The connection passes straight to the next waiter: `held` stays true.
    if (next) next();
    else this.held = false;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  savepoint: Driver['savepoint'] = (connection, name, compile) => this.inner.savepoint!(connection, name, compile);
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (connection, name, compile) => this.inner.rollbackToSavepoint!(connection, name, compile);
  releaseSavepoint: Driver['releaseSavepoint'] = (connection, name, compile) => this.inner.releaseSavepoint!(connection, name, compile);

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** Each SQLite database's dialect, by the adapter its Kysely instance and transactions share. */
const dialects = new WeakMap<DialectAdapter, FifoSqliteDialect>();

/** Kysely's SQLite dialect with its connection handed out first come, first served. */
export class FifoSqliteDialect extends SqliteDialect {
  private driver: FifoDriver | undefined;
  private readonly database: SqliteDatabase | undefined;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.database = typeof config.database === 'function' ? undefined : config.database;
  }

  override createDriver(): Driver {
    return (this.driver = new FifoDriver(super.createDriver()));
  }

  override createAdapter(): DialectAdapter {
    const adapter = super.createAdapter();
    dialects.set(adapter, this);
    return adapter;
  }

  /** `query` run now on the connection, as Kysely's SQLite driver runs it; undefined when it has to wait for the connection. */
  runNow<O>(query: CompiledQuery, inTransaction: boolean): Promise<QueryResult<O>> | undefined {
    if (!this.database || !this.driver || !(inTransaction || this.driver.free)) return undefined;
    try {
      const stmt = this.database.prepare(query.sql);
      if (stmt.reader) return Promise.resolve({ rows: stmt.all(query.parameters) as O[] });
      const { changes, lastInsertRowid } = stmt.run(query.parameters);
      return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] });
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

/**
 * `query` run at once on `db`'s SQLite connection when that is safe: `db` is
 * a transaction (which holds the connection) or nothing holds it. Undefined
 * for PostgreSQL, a query that must wait, an executor that is not a Kysely
 * instance itself (a wrapper sees its queries through executeQuery), or a
 * Kysely with plugins (they could rewrite the result).
 */
export function runNow<O>(db: Kysely<any>, query: CompiledQuery): Promise<QueryResult<O>> | undefined {
  if (!(db instanceof Kysely)) return undefined;
  const executor = db.getExecutor();
  if (executor.plugins.length > 0) return undefined;
  return dialects.get(executor.adapter)?.runNow<O>(query, db.isTransaction);
}
