// Writes asked for in the same turn of the event loop go to the database
// together: when thousands of calls start or end at once, one statement per
// table and one commit per turn instead of one per row. Every batch of a
// turn (call records, debug-log entries, credit holds, webhook jobs) shares
// the turn's one transaction: a batch that fails rolls back and fails only
// its own writes, the others commit (the turn is then written again, each
// batch in a savepoint of its own). Turns are written one after another, in
// the order they came; within a turn, batches in the order their first
// write was asked for. A batch's write may therefore run twice: it must
// leave nothing but its statements and its after-commit work behind.
import { CompiledQuery } from 'kysely';
import type { Database } from './db.ts';
import type { Executor } from './repos/accounts.ts';
import { runNow } from './sqlite-fifo-driver.ts';

// Each batch of a shared turn is in a savepoint: its statements written once, run at once on SQLite.
const SAVEPOINT = CompiledQuery.raw('savepoint turn_batch');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint turn_batch');
const RELEASE = CompiledQuery.raw('release savepoint turn_batch');
const savepoint = (trx: Executor, q: CompiledQuery) => runNow(trx, q) ?? trx.executeQuery(q);

interface Waiter<R> {
  resolve(result: R): void;
  reject(err: unknown): void;
}

/** Run `fn` once the turn's transaction has committed (never if this batch or the commit failed). */
export type AfterCommit = (fn: () => void) => void;

export interface BatchWrite<T, R> {
  /**
   * Stores the items in `trx`, returning one result per item (or nothing, for R = void). Runs again, in a new
   * transaction, when another batch of its turn failed: only its statements and `afterCommit` work may count.
   */
  (items: T[], trx: Executor, afterCommit: AfterCommit): Promise<R[] | void>;
}

export interface BatchOptions<T> {
  /**
   * False for writes whose statements each stand alone (rows written or
   * deleted independently): alone in its turn, such a batch runs without a
   * transaction of its own, as autocommitted statements.
   */
  atomic?: boolean;
  /**
   * Reads the write needs, done before the turn's transaction begins (on
   * SQLite the transaction holds the one connection). Rejecting fails the
   * batch.
   */
  before?(items: T[]): Promise<void>;
}

/** One batch's share of a turn. */
interface Share {
  atomic: boolean;
  before(): Promise<void>;
  write(trx: Executor, afterCommit: AfterCommit): Promise<void>;
  done(): void;
  fail(err: unknown): void;
}

export class TurnBatch<T, R = void> {
  private items: T[] = [];
  private waiters: Waiter<R>[] = [];
  private readonly turns: TurnWriter;

  constructor(
    db: Database,
    private readonly write: BatchWrite<T, R>,
    private readonly opts: BatchOptions<T> = {},
  ) {
    this.turns = TurnWriter.of(db);
  }

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.items.length === 0) this.turns.join(() => this.take());
      this.items.push(item);
      this.waiters.push({ resolve, reject });
    });
  }

  /** Resolves once everything asked for so far is written (or failed). */
  drain(): Promise<void> {
    return this.turns.flush();
  }

  private take(): Share {
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    let results: R[] | void;
    return {
      atomic: this.opts.atomic ?? true,
      before: async () => this.opts.before?.(items),
      write: async (trx, afterCommit) => void (results = await this.write(items, trx, afterCommit)),
      done: () => waiters.forEach((w, i) => w.resolve(results?.[i] as R)),
      fail: (err) => waiters.forEach((w) => w.reject(err)),
    };
  }
}

/** The turn's transaction, shared by every TurnBatch on one database. */
class TurnWriter {
  private static readonly byDb = new WeakMap<Database, TurnWriter>();
  static of(db: Database): TurnWriter {
    let writer = TurnWriter.byDb.get(db);
    if (!writer) TurnWriter.byDb.set(db, (writer = new TurnWriter(db)));
    return writer;
  }

  private joined: Array<() => Share> = [];
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly db: Database) {}

  /** A batch with items for this turn: `take` hands them over when the turn is written. */
  join(take: () => Share): void {
    if (this.joined.length === 0) setImmediate(() => void this.flush());
    this.joined.push(take);
  }

  flush(): Promise<void> {
    if (this.joined.length > 0) {
      const joined = this.joined;
      this.joined = [];
      this.writing = this.writing.then(() => this.write(joined.map((take) => take())));
    }
    return this.writing;
  }

  private async write(shares: Share[]): Promise<void> {
    const ready = await Promise.all(
      shares.map((s) =>
        s.before().then(
          () => true,
          (err: unknown) => {
            s.fail(err);
            return false;
          },
        ),
      ),
    );
    // Keep the order the batches joined in.
    const ordered = shares.filter((_, i) => ready[i]);
    if (ordered.length === 0) return;
    if (ordered.length === 1 && !ordered[0]!.atomic) return this.writeAlone(ordered[0]!);
    // All batches as one first: a batch fails rarely (a constraint, a bug), and a savepoint around each cost two
    // statements and a copy of each page the batch changed (on PostgreSQL, two round trips and a subtransaction).
    const failed = await this.writeTogether(ordered);
    // A lone batch's failure is the transaction's; with others, the turn is written again, each batch in a savepoint.
    if (failed === undefined) return;
    if (ordered.length === 1) return ordered[0]!.fail(failed.err);
    await this.writeApart(ordered);
  }

  /** The batches in one transaction with no savepoints; what failed (nothing is then written, nobody told). */
  private async writeTogether(shares: Share[]): Promise<{ err: unknown } | undefined> {
    const afters = shares.map((): Array<() => void> => []);
    try {
      await this.db.transaction().execute(async (trx) => {
        for (let i = 0; i < shares.length; i++) await shares[i]!.write(trx, (fn) => afters[i]!.push(fn));
      });
    } catch (err) {
      return { err };
    }
    shares.forEach((share, i) => {
      for (const fn of afters[i]!) fn();
      share.done();
    });
    return undefined;
  }

  /** The batches in one transaction, each in a savepoint: one that fails rolls back alone. */
  private async writeApart(ordered: Share[]): Promise<void> {
    const written: Array<{ share: Share; after: Array<() => void> }> = [];
    const failed = new Set<Share>();
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const share of ordered) {
          const after: Array<() => void> = [];
          await savepoint(trx, SAVEPOINT);
          try {
            await share.write(trx, (fn) => after.push(fn));
          } catch (err) {
            await savepoint(trx, ROLLBACK_TO);
            await savepoint(trx, RELEASE);
            failed.add(share);
            share.fail(err);
            continue;
          }
          await savepoint(trx, RELEASE);
          written.push({ share, after });
        }
      });
    } catch (err) {
      for (const share of ordered) if (!failed.has(share)) share.fail(err);
      return;
    }
    for (const { share, after } of written) {
      for (const fn of after) fn();
      share.done();
    }
  }

  private async writeAlone(share: Share): Promise<void> {
    const after: Array<() => void> = [];
    try {
      await share.write(this.db, (fn) => after.push(fn));
    } catch (err) {
      share.fail(err);
      return;
    }
    for (const fn of after) fn();
    share.done();
  }
}
