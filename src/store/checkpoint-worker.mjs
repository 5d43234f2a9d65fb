// Entry of the thread that checkpoints a SQLite database's WAL (see
// checkpointer.ts): its own connection copies committed pages back into the
// database file and syncs it, so the event loop never waits on that I/O.
// Plain JavaScript so the thread starts without a TypeScript loader.
//
// workerData: { file, everyMs, behindFrames }. Posts 'behind' when the WAL
// stays past behindFrames; message 'close': close the connection and end.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const db = new SQLite(workerData.file);
let timer;
let copied = 0;

function checkpoint() {
  // PASSIVE never takes the writer's lock: the writer neither waits for it
  // nor finds the database busy. Frames committed while a round ran are left
  // for the next, which follows at once while rounds make progress.
  const { busy, log, checkpointed } = db.pragma('wal_checkpoint(PASSIVE)')[0];
  const again = busy === 0 && checkpointed < log && checkpointed !== copied;
  copied = checkpointed;
  // The WAL starts over at a commit that finds it all copied, which a writer
  // committing all the time never does: the writer's own checkpoint then
  // copies the few frames of the last round and the WAL starts over.
  if (!again && log >= workerData.behindFrames) parentPort.postMessage('behind');
  timer = again ? setImmediate(checkpoint) : setTimeout(checkpoint, workerData.everyMs);
}

parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearTimeout(timer);
  clearImmediate(timer);
  db.close();
  parentPort.close();
});
checkpoint();
