/**
 * What the server pushes, applied to the state (issue #14): chat messages into their conversation (each
 * msgid once), unread counts and mentions for what arrives out of sight, the "New since you were away"
 * divider for what waited at login or came with catch-up, presence dots, rooms deleted or left, and a
 * browser notification for a private message or a mention while the tab is hidden.
 */
import type { ChatMessage, WireObject } from '../../../src/protocol/messages.js';
import { isChatMessage, isSystemEvent } from '../../../src/protocol/messages.js';
import { convKey, convOf, convTitle, mentions, mergeMessages, type Conv } from './conversations.js';
import type { Session } from './session.js';

/**
 * How messages arrived: pushed live, pushed as missed (they waited at login), read by catch-up's
 * `history` (missed too, but not pushed: they do not count for `since`), or the sender's own.
 */
export type Arrival = 'live' | 'missed' | 'read' | 'own';

/** Adds `messages` to conversation `key` (made if new) and counts what the user has not seen. */
export function applyMessages(session: Session, key: string, messages: readonly ChatMessage[], how: Arrival): void {
  const state = session.store.get();
  const conv = state.convs[key];
  if (!conv) return;
  for (const message of messages) session.noteSeen(message, key, how === 'live' || how === 'missed');
  const { messages: merged, added } = mergeMessages(conv.messages, messages);
  if (added.length === 0) return;
  const me = state.me.toLowerCase();
  const fromOthers = added.filter((m) => m.sender.toLowerCase() !== me && m.status !== 'system');
  const inView = state.selected === key && !document.hidden;
  const next: Conv = { ...conv, messages: merged };
  if (!inView && how !== 'own') {
    next.unread += fromOthers.length;
    if (fromOthers.some((m) => mentions(m.text, state.me))) next.mentioned = true;
  }
  if ((how === 'missed' || how === 'read') && !session.dividedThisLogin.has(key)) {
    session.dividedThisLogin.add(key);
    next.dividerBefore = added[0]!.msgid;
  }
  session.store.updateConv(key, () => next);
  if (how !== 'own' && state.notify && document.hidden)
    for (const m of fromOthers) if (m.status === 'private' || mentions(m.text, state.me)) notify(convTitle(conv), m);
  if (key.startsWith('room:')) {
    const created = added.find((m) => m.status === 'system' && m.event === 'created');
    if (created) session.store.set({ owners: { ...session.store.get().owners, [key]: created.sender } });
  }
}

function notify(title: string, message: ChatMessage): void {
  try {
    const n = new Notification(`${message.sender} in ${title}`, { body: message.text.slice(0, 200), tag: title });
    n.addEventListener('click', () => focus());
  } catch {
    // Notifications unavailable here (a permission revoked since): nothing to do.
  }
}

/** Applies one pushed line: a chat message, a presence or room event, or the closing error (Link handles it). */
export function applyPushed(session: Session, line: WireObject): void {
  const state = session.store.get();
  if (isChatMessage(line)) {
    const where = convOf(line, state.me);
    const key = session.ensureConv(where.kind, where.name);
    const how: Arrival = session.waitingLeft > 0 ? 'missed' : 'live';
    if (session.waitingLeft > 0) session.waitingLeft--;
    applyMessages(session, key, [line], how);
    // Someone the People list does not know yet (a new name): read the list again, once for a burst.
    if (!state.people[line.sender.toLowerCase()] && line.sender !== 'server') session.refreshPeopleSoon();
    if (line.status === 'system' && line.event === 'kicked') roomEvent(session, line.receiver, line.text);
    return;
  }
  if (!isSystemEvent(line)) return;
  const who = line.sender.toLowerCase();
  switch (line.event) {
    case 'connect':
    case 'disconnect': {
      if (!state.people[who]) session.refreshPeopleSoon();
      const person = state.people[who] ?? { name: line.sender, online: false, admin: false };
      session.store.set({ people: { ...state.people, [who]: { ...person, online: line.event === 'connect' } } });
      return;
    }
    case 'deleted':
      session.notice('everyone', line.text);
      session.dropConv(convKey('room', line.receiver));
      return;
    case 'kicked':
      roomEvent(session, line.receiver, line.text);
      return;
    case 'role':
      session.store.set({ role: /made you an admin/i.test(line.text) ? 'admin' : 'user' });
      session.notice(state.selected, line.text);
      return;
    case 'muted':
    case 'shutdown':
      session.notice(state.selected, line.text);
      return;
    default:
      return;
  }
}

/** A `kicked` event: when it is the user who was removed, the room leaves the sidebar. */
function roomEvent(session: Session, room: string, text: string): void {
  const me = session.store.get().me.toLowerCase();
  if (!text.toLowerCase().startsWith(`${me} was removed from `)) return;
  session.notice('everyone', text);
  session.dropConv(convKey('room', room));
}
