/**
 * Runs in a worker thread: copies the SQLite write-ahead log back into the database file on its own
 * connection, so the event loop never waits for a checkpoint's writes and fsyncs (they stalled it
 * 3-4 ms at a time, the tail of the low-load latency, issue #2). PASSIVE never blocks the writer.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

interface Options {
  file: string;
  intervalMs: number;
}

const { file, intervalMs } = workerData as Options;
const db = new Database(file);
db.pragma('busy_timeout = 5000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

const timer = setInterval(() => {
  try {
    checkpoint.run();
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message });
  }
}, intervalMs);

parentPort!.on('message', (message: string) => {
  if (message === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort!.close();
  }
});
