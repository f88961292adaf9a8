/**
 * `classchat admin`'s own code (src/server/admin/actions.ts) on its own thread and database connection,
 * for races with the server timed to the millisecond (issue #11.3). A thread, not the test's own: a write
 * that waits for the server's write lock must not block the event loop that would release it.
 * Messages: 'setOld' (the old password, no admin event), 'reset' (reset-password to the new one), 'close'.
 * Each is answered with {ok} or {ok:false,error} once committed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { nameKey } from '../../src/protocol/names.js';
import { resetPassword } from '../../src/server/admin/actions.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';

export interface AdminWorkerData {
  dataDir: string;
  name: string;
  oldHash: string;
  newHash: string;
}

const { dataDir, name, oldHash, newHash } = workerData as AdminWorkerData;
const store = new SqliteStore({ dataDir });
const user = await store.findUser(nameKey(name));

/** Runs one message and answers it; never rejects, since every error is the answer. */
async function run(op: 'setOld' | 'reset' | 'close'): Promise<void> {
  try {
    if (!user) throw new Error(`no user named ${name}`);
    if (op === 'setOld') store.setPassword(user.id, oldHash);
    if (op === 'reset') resetPassword(store, user.id, newHash);
    store.commit();
    if (op === 'close') await store.close();
    parentPort!.postMessage({ ok: true });
  } catch (err) {
    parentPort!.postMessage({ ok: false, error: String(err) });
  }
}

parentPort!.on('message', (op: 'setOld' | 'reset' | 'close') => void run(op));
