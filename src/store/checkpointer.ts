// SQLite in WAL mode appends each commit's pages to the -wal file, and a
// checkpoint copies them back into the database file and syncs it. Left to
// SQLite, the connection that commits runs the checkpoint whenever the WAL
// reaches 1,000 pages: on the event loop, where thousands of calls set up at
// once waited on its copies and fsyncs. Here a worker thread with its own
// connection copies the pages instead (checkpoint-worker.mjs), started the
// first time the WAL grows past a size (2 MiB), so a store that writes
// little never starts it. The WAL starts over only at a commit that finds
// every frame copied, which a writer busy all the time never does: when the
// thread reports the WAL long, the writer checkpoints once itself, copying
// only what the thread's last round left. The writer's own automatic
// checkpoint stays as a back-stop at a larger WAL, and takes over again if
// the thread fails.
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** The WAL size (in pages) at which the writing connection checkpoints itself: SQLite's default. */
const OWN_CHECKPOINT_PAGES = 1_000;

export interface CheckpointLimits {
  /** WAL size at which the thread starts. */
  threadAfterBytes: number;
  /** WAL pages at which the writer checkpoints itself once the thread runs: only if it falls far behind. */
  backstopPages: number;
  /** WAL pages past which the thread asks the writer to let the WAL start over. */
  behindPages: number;
  /** How often the WAL's size is looked at until the thread starts. */
  watchMs: number;
  /** How often the thread checkpoints. */
  everyMs: number;
}

const LIMITS: CheckpointLimits = { threadAfterBytes: 2 * 1024 * 1024, backstopPages: 10_000, behindPages: 4_000, watchMs: 500, everyMs: 100 };

export class Checkpointer {
  private worker: Worker | undefined;
  private exited: Promise<unknown> = Promise.resolve();
  private readonly watch: NodeJS.Timeout;
  private restarting = false;
  private readonly limits: CheckpointLimits;

  /** `checkpointHere` runs a PASSIVE checkpoint on the writing connection, between its transactions. */
  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly file: string,
    private readonly checkpointHere: () => Promise<unknown>,
    limits: Partial<CheckpointLimits> = {},
  ) {
    this.limits = { ...LIMITS, ...limits };
    this.watch = setInterval(() => this.look(), this.limits.watchMs).unref();
  }

  private look(): void {
    fs.stat(`${this.file}-wal`, (err, st) => {
      if (!err && st.size >= this.limits.threadAfterBytes && !this.worker && this.sqlite.open) this.start();
    });
  }

  private start(): void {
    clearInterval(this.watch);
    const worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), {
      workerData: { file: this.file, everyMs: this.limits.everyMs, behindFrames: this.limits.behindPages },
      name: 'sqlite-checkpoint',
      // Not the parent's flags: under `node --import tsx` the thread would load the TypeScript loader it does not need.
      execArgv: [],
    });
    worker.unref();
    this.worker = worker;
    this.exited = new Promise((resolve) => worker.once('exit', resolve));
    this.sqlite.pragma(`wal_autocheckpoint = ${this.limits.backstopPages}`);
    worker.on('message', () => this.restart());
    // A thread that fails hands checkpoints back to the writer.
    worker.once('error', () => {
      if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${OWN_CHECKPOINT_PAGES}`);
    });
  }

  private restart(): void {
    if (this.restarting || !this.sqlite.open) return;
    this.restarting = true;
    // A failure here leaves the WAL to the next report or to the back-stop.
    this.checkpointHere()
      .catch(() => {})
      .finally(() => (this.restarting = false));
  }

  /** Stops the thread (before the writer closes, which checkpoints one last time). */
  async close(): Promise<void> {
    clearInterval(this.watch);
    // Held open until it has closed its connection, even when nothing else keeps the process alive.
    this.worker?.ref();
    this.worker?.postMessage('close');
    await this.exited;
  }
}
