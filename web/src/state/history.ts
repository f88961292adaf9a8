/**
 * Reading a conversation's history (issue #14): the first time it is opened, and older pages as the user
 * scrolls up (`history` with `before` the first seq held). When pushed messages are already held (they
 * waited at login), what lies between and around them is read first, so the view has no hole.
 */
import { receiverOf } from './conversations.js';
import type { Session } from './session.js';

const PAGE = 50;
const loading = new Set<string>();

/** Reads the newest page of `key` (or fills around the messages held), once per conversation. */
export async function loadInitial(session: Session, key: string): Promise<void> {
  const conv = session.store.get().convs[key];
  if (!conv || conv.loaded || loading.has(key) || !session.loggedIn) return;
  loading.add(key);
  try {
    const receiver = receiverOf(conv);
    const first = conv.messages[0];
    if (!first) {
      const reply = await session.request({ status: 'history', receiver, limit: PAGE });
      if (!reply) return;
      if (reply.status === 'error') {
        // No history to show (a user never registered, a room left meanwhile): say so instead of "Loading…".
        session.addHistory(key, [], { loaded: true, hasOlder: false });
        session.notice(key, reply.text);
        return;
      }
      session.addHistory(key, reply.messages, { loaded: true, hasOlder: reply.more });
      return;
    }
    // Everything from the first held message on (own messages sent elsewhere are not pushed to us).
    let after = first.seq - 1;
    for (;;) {
      const reply = await session.request({ status: 'history', receiver, after, limit: 200 });
      if (!reply || reply.status !== 'ok') return;
      session.addHistory(key, reply.messages, {});
      const last = reply.messages.at(-1);
      if (!last || !reply.more) break;
      after = last.seq;
    }
    const older = await session.request({ status: 'history', receiver, before: first.seq, limit: PAGE });
    if (!older || older.status !== 'ok') return;
    session.addHistory(key, older.messages, { loaded: true, hasOlder: older.more });
  } finally {
    loading.delete(key);
  }
}

/** Reads the page before the first message held in `key`; resolves when it is in (or there is none). */
export async function loadOlder(session: Session, key: string): Promise<void> {
  const conv = session.store.get().convs[key];
  if (!conv || !conv.loaded || !conv.hasOlder || loading.has(key)) return;
  const first = conv.messages[0];
  if (!first || first.seq <= 1) {
    session.store.updateConv(key, (c) => ({ ...c, hasOlder: false }));
    return;
  }
  loading.add(key);
  try {
    const reply = await session.request({
      status: 'history',
      receiver: receiverOf(conv),
      before: first.seq,
      limit: PAGE,
    });
    if (!reply || reply.status !== 'ok') return;
    session.addHistory(key, reply.messages, { hasOlder: reply.more });
  } finally {
    loading.delete(key);
  }
}
