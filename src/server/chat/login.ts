/**
 * Registration and disconnection: claiming a name, going online with the messages that waited, and
 * leaving. Presence events go to the user's contacts: online members of their rooms and the users they
 * have a private conversation with (docs/protocol.md, "System events").
 */
import { ChatError } from '../../protocol/errors.js';
import { isValidName, nameKey, reservedNameText } from '../../protocol/names.js';
import type { NewUser, UserRecord } from '../store/store.js';
import { collectWaiting } from './login-catch-up.js';
import type { Chat } from './chat.js';
import { encodeSystemEvent } from './encode.js';
import type { Room } from './room.js';
import { Session, type Outbox } from './session.js';

/** A connection as login sees it: where output goes, whether it is still open, and its session. */
export interface LoginTarget extends Outbox {
  session: Session | null;
  readonly closed: boolean;
}

export interface Login {
  session: Session;
  /** The messages that waited, oldest first, as wire lines. */
  waiting: Buffer[];
  /** True when more messages waited than are delivered at login (the older ones are in history). */
  truncated: boolean;
}

/**
 * Takes `name` for the connection without an account (open mode, as in the seeds) and puts the user
 * online. Resolves to null when the connection closed meanwhile. Throws ChatError invalid_name,
 * name_taken, already_registered, or password_required when an account owns the name.
 */
export async function register(chat: Chat, target: LoginTarget, name: string, since?: number): Promise<Login | null> {
  assertCanClaim(chat, target, name);
  const key = nameKey(name);
  let user = await chat.store.findUser(key);
  if (target.closed) return null;
  assertNameFree(chat, key, name); // another connection may have taken it while we looked
  if (user?.passwordHash) throw passwordRequired(user.name, true);
  user ??= await createUser(chat, { name, key, passwordHash: null, role: 'user' });
  return goOnline(chat, target, user, since);
}

/** Throws already_registered when the connection already has a name (register and login alike). */
export function assertNotRegistered(target: Pick<LoginTarget, 'session'>): void {
  if (target.session) throw new ChatError('already_registered', `you are already registered as ${target.session.name}`);
}

/** Checks what every claim of a name checks first. Throws already_registered, invalid_name, name_taken. */
export function assertCanClaim(chat: Chat, target: Pick<LoginTarget, 'session'>, name: string): void {
  assertNotRegistered(target);
  if (!isValidName(name)) throw new ChatError('invalid_name', reservedNameText(name));
  assertNameFree(chat, nameKey(name), name);
}

/** The error that asks the client for a password; `account` tells it whether to log in or sign up. */
export function passwordRequired(name: string, account: boolean): ChatError {
  const text = account
    ? `${name} belongs to an account: log in with {"status":"login","sender":"${name}","password":"…"}`
    : `this server needs an account: register with a password, {"status":"register","sender":"${name}","password":"…"}`;
  return new ChatError('password_required', text, { account });
}

/** The refusal of a claimed name (issue #11.1), saying every way back in. */
export function nameClaimed(name: string): ChatError {
  return new ChatError(
    'name_claimed',
    `${name} is claimed by whoever registered it first. If that is you, log in with the token your client saved ` +
      `({"status":"login","sender":"${name}","token":"…"}) or with your password; if you lost it, ask the instructor to run ` +
      `"classchat admin reset-password ${name}" (gives the name a password) or "classchat admin release-name ${name}" (frees it). ` +
      `Otherwise choose another name.`,
  );
}

/** Adds a user row and resolves to the record (the database assigns the id). */
export async function createUser(chat: Chat, user: NewUser): Promise<UserRecord> {
  const id = await chat.store.insertUser(user, chat.now());
  chat.requestCommit();
  return { id, ...user, mutedUntil: null };
}

/**
 * Puts an authenticated (or open-mode) user online on the connection: joins their rooms and collects
 * the messages that waited. `since` is the highest msgid the client already has (it reconnects after
 * losing the connection, or the server): those are not sent again, so each message arrives once even
 * when the server died before it could save how far the user had got (issue #4, kill -9).
 * Resolves to null when the connection closed meanwhile. `replace` (a login): on a node joined to others,
 * a session of the name on another node is closed with `replaced` (#15; on this node the login did it).
 */
export async function goOnline(
  chat: Chat,
  target: LoginTarget,
  user: UserRecord,
  since?: number,
  replace = false,
): Promise<Login | null> {
  if (target.closed) return null;
  if (chat.names) {
    // #15: one node at a time per name. Claimed before the checks below, which run with no await
    // before presence.add; given back if this login goes no further.
    await chat.names.claim(user.key, user.name, replace);
    if (target.closed || chat.presence.byName(user.key) || chat.rooms.get(user.key)) {
      if (!chat.presence.byName(user.key)) chat.names.release(user.key);
      if (target.closed) return null;
    }
  }
  // Checked again here, with no await before presence.add: another claim may have run meanwhile.
  assertNameFree(chat, user.key, user.name);
  const session = new Session(user.id, user.name, user.key, target);
  session.role = user.role;
  if (user.mutedUntil !== null) session.mutedUntil = Date.parse(user.mutedUntil);
  chat.presence.add(session);
  // Through the member index, not a look at every room (issue #11.6: 20,000 rooms).
  for (const room of [...chat.rooms.of(user.id)]) chat.rooms.join(room, room.members.get(user.id)!, session);
  target.session = session;
  // Everything below this id waits in the store; everything from it on reaches the session live.
  const watermark = chat.watermark();
  // Messages reach a client in msgid order, so having `since` means having everything below it.
  if (since !== undefined && since > 0) chat.store.advanceCursors(user.id, Math.min(since + 1, watermark));
  const budget = {
    belowId: watermark,
    notBefore: offlineCutoff(chat),
    limit: chat.limits.offlineDeliveryLimit,
    maxBytes: chat.limits.offlineDeliveryBytes,
  };
  let partners: number[];
  let waiting: { lines: Buffer[]; truncated: boolean };
  try {
    [partners, waiting] = await Promise.all([
      chat.store.privatePartners(user.id),
      collectWaiting(chat.store, user.id, budget),
    ]);
  } catch (err) {
    if (target.session === session) {
      disconnect(chat, session, 'login failed', { announce: false, advanceCursors: false });
      target.session = null;
    }
    throw err;
  }
  if (target.closed) return null; // disconnect() already ran; the cursors stay, so nothing is lost
  if (partners.length > 0) session.partners = new Set(partners);
  const { lines, truncated } = waiting;
  chat.store.advanceCursors(user.id, watermark);
  chat.requestCommit();
  chat.waitingBytes.delete(user.key); // what waited is delivered now, or left to history (issue #11.12)
  return { session, waiting: lines, truncated };
}

/** Waiting messages older than this are not delivered at login (issue #4); history keeps them. */
function offlineCutoff(chat: Chat): string {
  return new Date(chat.nowMs() - chat.limits.offlineMaxAgeDays * 86_400_000).toISOString();
}

/** Ends the login: releases held live events and tells the user's contacts they are online. */
export function completeLogin(chat: Chat, session: Session): void {
  session.ready();
  announcePresence(chat, session, 'connect', presenceText(session.name, 'connect'));
  // #15: the other nodes list the user in `who` and tell its contacts there.
  chat.elsewhere.drop(session.key);
  chat.clusterPresence?.online(session);
  chat.log.info({ user: session.name, online: chat.presence.size }, 'registered');
}

/** Takes the session offline: frees the name, keeps room memberships, tells contacts. */
export function disconnect(
  chat: Chat,
  session: Session,
  reason: string,
  options = { announce: true, advanceCursors: true },
): void {
  chat.presence.remove(session);
  // #15: the name is free for other nodes, unless a newer session of it is online here (a login that replaced this one).
  if (chat.names && !chat.presence.byName(session.key)) chat.names.release(session.key);
  for (const room of session.rooms) room.online.delete(session);
  if (session.isReady) {
    // Every message below the watermark was queued to this session while it was online, unless it
    // fell behind (issue #11.11): then only those below where it fell behind. When the server itself
    // dropped that output (a reader cut off), the cursors stay: better twice than never.
    if (options.advanceCursors) chat.saveCursors(session.userId, session.deliveredBelow(chat.watermark()));
    if (options.announce) announcePresence(chat, session, 'disconnect', presenceText(session.name, 'disconnect'));
    // #15: contacts on other nodes stay online when this node shuts down: they are told whatever `announce` says.
    chat.clusterPresence?.offline(session);
  }
  session.stopCatchUp(); // after deliveredBelow above has read where it fell behind
  session.clearRooms();
  chat.log.info({ user: session.name, reason, online: chat.presence.size }, 'disconnected');
}

function assertNameFree(chat: Chat, key: string, name: string): void {
  if (chat.presence.byName(key)) throw new ChatError('name_taken', `${name} is in use; choose another name`);
  if (chat.rooms.get(key)) throw new ChatError('name_taken', `${name} is the name of a room; choose another name`);
}

function announcePresence(chat: Chat, session: Session, event: 'connect' | 'disconnect', text: string): void {
  tellContacts(chat, session, session.rooms, session.partners, event, text);
}

/**
 * Tells a user's contacts here that they came online or left: the online members of `rooms` (theirs) and
 * their private `partners` online here. Another node's user too (#15: its rooms as this node knows them,
 * its partners as its node sent them).
 */
export function tellContacts(
  chat: Chat,
  user: { userId: number; name: string },
  rooms: Iterable<Room>,
  partners: Iterable<number> | null,
  event: 'connect' | 'disconnect',
  text: string,
): void {
  const recipients = new Set<Session>();
  for (const room of rooms) for (const member of room.online) recipients.add(member);
  if (partners) {
    for (const id of partners) {
      const partner = chat.presence.byUser(id);
      if (partner) recipients.add(partner);
    }
  }
  for (const recipient of recipients) if (recipient.userId === user.userId) recipients.delete(recipient);
  if (recipients.size === 0) return;
  const bytes = encodeSystemEvent({
    status: 'system',
    event,
    sender: user.name,
    receiver: 'everyone',
    text,
    ts: chat.now(),
  });
  for (const recipient of recipients) recipient.deliver(bytes);
}

/** The text of a presence event, the same on every node. */
export function presenceText(name: string, event: 'connect' | 'disconnect'): string {
  return event === 'connect' ? `${name} is online` : `${name} has left the chat`;
}
