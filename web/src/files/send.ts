// Sending files dropped or picked in a conversation (issue #14): each goes through upload.ts, its
// progress in state.transfers (a progressbar), and its message joins the conversation when done.
import type { ChatMessage, UploadDone } from '../../../src/protocol/messages.js';
import { applyMessages } from '../state/incoming.js';
import type { Session } from '../state/session.js';
import type { Transfer } from '../state/store.js';
import { sizeOf } from '../ui/format.js';
import { uploadFile } from './upload.js';

/** The server's default file size limit (docs/protocol.md "Errors": too_large). */
const MAX_FILE_BYTES = 100 * 1024 * 1024;
let nextTransfer = 1;

/** Uploads `files` to conversation `key`, one after another. */
export function sendFiles(session: Session, key: string, files: File[]): void {
  const conv = session.store.get().convs[key];
  if (!conv) return;
  if (conv.kind === 'everyone') {
    session.notice(key, 'Files go to a room or a person: open one and send it there.');
    return;
  }
  void (async () => {
    for (const file of files) {
      if (file.size > MAX_FILE_BYTES) {
        session.notice(key, `${file.name} is ${sizeOf(file.size)}: the limit is ${sizeOf(MAX_FILE_BYTES)}.`);
        continue;
      }
      await sendOne(session, key, conv.name, conv.kind === 'room' ? 'group' : 'private', file);
    }
  })();
}

async function sendOne(
  session: Session,
  key: string,
  receiver: string,
  kind: 'group' | 'private',
  file: File,
): Promise<void> {
  const id = `t${nextTransfer++}`;
  const update = (patch: Partial<Transfer>): void =>
    session.store.set({ transfers: session.store.get().transfers.map((t) => (t.id === id ? { ...t, ...patch } : t)) });
  session.store.set({
    transfers: session.store
      .get()
      .transfers.concat({ id, convKey: key, name: file.name, size: file.size, sent: 0, state: 'hashing' }),
  });
  try {
    const done = await uploadFile(session, receiver, file, {
      hashed: () => update({ state: 'sending' }),
      progress: (sent) => update({ sent, state: 'sending' }),
      paused: () => update({ state: 'paused' }),
    });
    update({ sent: file.size, state: 'done' });
    applyMessages(session, key, [fileMessage(session.store.get().me, kind, file, done)], 'own');
  } catch (err) {
    update({ state: 'failed', error: (err as Error).message });
    session.notice(key, `${file.name} was not sent: ${(err as Error).message}`);
  } finally {
    // A finished or failed transfer leaves the list after a moment.
    setTimeout(() => session.store.set({ transfers: session.store.get().transfers.filter((t) => t.id !== id) }), 4000);
  }
}

/** The message the recipients got, as the sender shows it (the server's wording). */
function fileMessage(me: string, kind: 'group' | 'private', file: File, done: UploadDone): ChatMessage {
  return {
    status: kind,
    sender: me,
    receiver: done.receiver,
    text: `${me} sent ${file.name} (${sizeOf(file.size)}) [id ${done.file}] - /get ${done.file}`,
    msgid: done.msgid,
    seq: done.seq,
    ts: done.ts,
    file: done.file,
  };
}
