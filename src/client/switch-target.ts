/**
 * Where /switch (and /private without text) may go (issue #12.7): everyone, one of your rooms, or a user
 * the server knows. `/switch Nobody` used to be accepted, and only the next line failed ("no room named
 * Nobody"); a name the client does not know yet is now looked up on the server first, so a typo is
 * refused at once and the current conversation stays.
 */
import type { ReplyOf } from '../protocol/messages.js';
import type { RequestOf, RequestStatus } from '../protocol/requests.js';
import type { Target } from './parse.js';

export interface KnownConversations {
  isMyRoom(name: string): boolean;
  isKnownUser(name: string): boolean;
}

/** Sends one request and resolves with its reply (ok or error). */
export type Ask = <S extends RequestStatus>(request: RequestOf<S>) => Promise<ReplyOf<S>>;

/** The conversation to switch to (its name as the server spells it), or why there is none. */
export type SwitchCheck = { to: Target } | { refused: string };

/**
 * Checks a target named by the user. Known ones need no request. Otherwise a target parsed as a room
 * (an unknown bare name, or `#name`) is looked up with `members` (a room you are not in cannot be
 * talked to: join it first), then as a user; a user with `history` (one message: it answers
 * no_such_user for a name never registered, and for a room says whether you are in it).
 */
export async function checkSwitchTarget(target: Target, known: KnownConversations, ask: Ask): Promise<SwitchCheck> {
  if (target.kind === 'everyone') return { to: target };
  if (target.kind === 'room' && known.isMyRoom(target.name)) return { to: target };
  if (target.kind === 'user' && known.isKnownUser(target.name)) return { to: target };
  if (target.kind === 'room') {
    const room = await ask({ status: 'members', receiver: target.name, limit: 1 });
    if (room.status === 'ok') return { refused: `you are not in ${room.receiver}: /join ${room.receiver} first` };
    if (room.code !== 'no_such_room') return { refused: room.text ?? room.code };
  }
  const user = await ask({ status: 'history', receiver: target.name, limit: 1 });
  if (user.status === 'ok') return { to: { kind: 'user', name: user.receiver } };
  if (user.code === 'no_such_user') return { refused: `there is no user or room named ${target.name}` };
  if (user.code === 'not_a_member') return { refused: `you are not in ${target.name}: /join ${target.name} first` };
  return { refused: user.text ?? user.code };
}
