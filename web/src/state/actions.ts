/**
 * What the user asks for (issue #14): sending what the composer holds (text, or a slash command as the
 * terminal client has them), switching conversations, rooms (create, join, leave), private conversations,
 * and the moderation requests. Replies that refuse are said in the conversation as notices.
 */
import type { ChatKind, ReplyOf } from '../../../src/protocol/messages.js';
import type { ChatRequest } from '../net/outbox.js';
import { HELP, parseCommand } from '../text/commands.js';
import { splitAtLines } from '../text/split.js';
import { convKey, type Conv } from './conversations.js';
import { loadInitial } from './history.js';
import { applyMessages } from './incoming.js';
import type { Session } from './session.js';

/** Opens conversation `key`: it becomes the selected one, is marked read, and its history is read once. */
export function select(session: Session, key: string): void {
  if (!session.store.get().convs[key]) return;
  session.store.set({ selected: key });
  session.markRead(key);
  void loadInitial(session, key);
}

/** Sends or runs what the composer holds; resolves false when it should stay in the composer (a usage error). */
export async function submit(session: Session, text: string): Promise<boolean> {
  const state = session.store.get();
  const here = state.selected;
  const command = parseCommand(text);
  switch (command.kind) {
    case 'send':
      return sendText(session, here, command.text);
    case 'msg': {
      const key = openDm(session, command.user);
      return command.text.trim() === '' || sendText(session, key, command.text);
    }
    case 'join':
      return report(session, here, await joinRoom(session, command.room));
    case 'create':
      return report(session, here, await createRoom(session, command.room, command.members));
    case 'leave': {
      const room = command.room ?? (state.convs[here]?.kind === 'room' ? state.convs[here].name : null);
      if (room === null) return say(session, here, 'usage: /leave <room> (this is not a room)');
      return report(session, here, await leaveRoom(session, room));
    }
    case 'switch': {
      const name = command.name.toLowerCase();
      const key = [name === 'everyone' ? 'everyone' : '', convKey('room', name), convKey('user', name)].find(
        (k) => k !== '' && state.convs[k],
      );
      if (key === undefined) return say(session, here, `no conversation named ${command.name}: /join or /msg it`);
      select(session, key);
      return true;
    }
    case 'kick': {
      const conv = state.convs[here];
      return say(
        session,
        here,
        await kick(session, command.user, conv?.kind === 'room' ? conv.name : null, command.reason),
      );
    }
    case 'mute':
      return say(session, here, await mute(session, command.user, command.seconds, command.reason));
    case 'delete': {
      const room = command.room ?? (state.convs[here]?.kind === 'room' ? state.convs[here].name : null);
      if (room === null) return say(session, here, 'usage: /delete <room>');
      return report(session, here, await deleteRoom(session, room));
    }
    case 'help':
      return say(session, here, HELP.map(([syntax, help]) => `${syntax} — ${help}`).join('\n'));
    case 'usage':
      say(session, here, command.text);
      return false;
  }
}

function say(session: Session, key: string, text: string): boolean {
  session.notice(key, text);
  return true;
}

/** Says a refusal's text in `key`, if there is one; the command is done either way. */
function report(session: Session, key: string, refusal: string | null): boolean {
  if (refusal !== null) session.notice(key, refusal);
  return true;
}

/**
 * Queues `text` for conversation `key` (cut at line boundaries above the size limit): it goes now, or
 * after the reconnect, paced by the server's retry_after_ms, never lost to the flood guard.
 */
export function sendText(session: Session, key: string, text: string): boolean {
  const conv = session.store.get().convs[key];
  if (!conv) return false;
  const pieces = splitAtLines(text);
  if (pieces.length === 0) return false;
  if (conv.dividerBefore !== null) session.store.updateConv(key, (c) => ({ ...c, dividerBefore: null }));
  for (const piece of pieces) {
    const request = chatRequest(conv, piece);
    session.outbox.add(request, (reply) => sent(session, key, request, reply));
  }
  return true;
}

function chatRequest(conv: Conv, text: string): ChatRequest {
  if (conv.kind === 'everyone') return { status: 'broadcast', text };
  if (conv.kind === 'room') return { status: 'group', receiver: conv.name, text };
  return { status: 'private', receiver: conv.name, text };
}

function sent(session: Session, key: string, request: ChatRequest, reply: ReplyOf<ChatKind>): void {
  if (reply.status === 'error') {
    const shown = request.text.length > 80 ? `${request.text.slice(0, 80)}…` : request.text;
    session.notice(key, `Not sent (${reply.text}): ${shown}`);
    return;
  }
  const message = {
    status: request.status,
    sender: session.store.get().me,
    receiver: request.status === 'broadcast' ? 'everyone' : reply.receiver,
    text: request.text,
    msgid: reply.msgid,
    seq: reply.seq,
    ts: reply.ts,
  };
  applyMessages(session, key, [message], 'own');
  if ('queued' in reply && reply.queued && reply.text) session.notice(key, reply.text);
}

/** Opens (making it if new) the private conversation with `user` and selects it; returns its key. */
export function openDm(session: Session, user: string): string {
  const known = session.store.get().people[user.toLowerCase()];
  const key = session.ensureConv('user', known?.name ?? user);
  select(session, key);
  return key;
}

const OFFLINE = 'Not connected: try again once the connection is back.';

/** Creates room `room` with `members` and selects it; resolves with the refusal's text, or null. */
export async function createRoom(session: Session, room: string, members: string[] = []): Promise<string | null> {
  const reply = await session.request({ status: 'create', receiver: room, ...(members.length ? { members } : {}) });
  if (!reply) return OFFLINE;
  if (reply.status === 'error') return reply.text;
  const key = session.ensureConv('room', reply.receiver);
  session.store.set({ owners: { ...session.store.get().owners, [key]: session.store.get().me } });
  select(session, key);
  return null;
}

/** Joins room `room` and selects it (only selects it when already a member); the refusal's text, or null. */
export async function joinRoom(session: Session, room: string): Promise<string | null> {
  const existing = session.store.get().convs[convKey('room', room)];
  if (existing) {
    select(session, existing.key);
    return null;
  }
  const reply = await session.request({ status: 'join', receiver: room });
  if (!reply) return OFFLINE;
  if (reply.status === 'error') return reply.text;
  select(session, session.ensureConv('room', reply.receiver));
  return null;
}

/** Leaves room `room`; it leaves the sidebar. The refusal's text, or null. */
export async function leaveRoom(session: Session, room: string): Promise<string | null> {
  const reply = await session.request({ status: 'leave', receiver: room });
  if (!reply) return OFFLINE;
  if (reply.status === 'error') return reply.text;
  session.dropConv(convKey('room', room));
  session.notice('everyone', reply.text);
  return null;
}

/** Removes `user` from `room` (owner or admin), or with no room (admins) from the server; the server's text. */
export async function kick(session: Session, user: string, room: string | null, reason = ''): Promise<string> {
  const reply = await session.request({
    status: 'kick',
    receiver: user,
    ...(room !== null ? { room } : {}),
    ...(reason !== '' ? { text: reason } : {}),
  });
  return reply ? reply.text : OFFLINE;
}

/** Mutes `user` for `seconds` (0 lifts it); admins. The server's text. */
export async function mute(session: Session, user: string, seconds: number, reason = ''): Promise<string> {
  const reply = await session.request({
    status: 'mute',
    receiver: user,
    seconds,
    ...(reason !== '' ? { text: reason } : {}),
  });
  return reply ? reply.text : OFFLINE;
}

/** Deletes room `room` and its history (owner or admin). The refusal's text, or null. */
export async function deleteRoom(session: Session, room: string): Promise<string | null> {
  const reply = await session.request({ status: 'delete', receiver: room });
  if (!reply) return OFFLINE;
  if (reply.status === 'error') return reply.text;
  session.dropConv(convKey('room', room));
  session.notice('everyone', reply.text);
  return null;
}
