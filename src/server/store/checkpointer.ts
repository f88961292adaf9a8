/** Starts and stops the background checkpoint thread of a SQLite database (see checkpoint-worker.ts). */
import { Worker } from 'node:worker_threads';

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Checkpoints `file` every `intervalMs` from a worker thread. If the thread fails, `onFailure` is told
 * once so the caller can fall back to SQLite's own checkpoints on the main connection.
 */
export function startCheckpointer(file: string, intervalMs: number, onFailure: (reason: string) => void): Checkpointer {
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { file, intervalMs } });
  let failed = false;
  const fail = (reason: string) => {
    if (!failed) {
      failed = true;
      onFailure(reason);
    }
  };
  worker.on('message', (message: { error?: string }) => {
    if (message.error) fail(message.error);
  });
  worker.on('error', (err) => fail(err.message));
  worker.unref();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (failed) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.ref(); // keep the process alive until the thread has closed its connection
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      }),
  };
}
