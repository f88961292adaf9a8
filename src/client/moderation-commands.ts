/**
 * The instructor's commands in the terminal client (issue #12.5: "an instructor must never need raw
 * JSON"): /kick, /mute and /unmute, /delete, and /users (every known user, not only who is online). Each
 * sends the server's request and says what happened in words; a refusal shows the server's text, with
 * a hint where the command has another form that would work.
 */
import type { RequestOf } from '../protocol/requests.js';
import type { Action } from './parse.js';
import { formatDuration } from './duration.js';
import { requestShowingRefusal, type CommandHost } from './command-host.js';

export type ModerationAction = Extract<Action, { kind: 'users' | 'kick' | 'mute' | 'delete' }>;

/** Runs one moderation command; resolves when its outcome has been shown. */
export async function runModeration(host: CommandHost, action: ModerationAction): Promise<void> {
  switch (action.kind) {
    case 'users':
      return listUsers(host, action.more === true);
    case 'kick':
      return kick(host, action.user, action.room, action.reason);
    case 'mute':
      return mute(host, action.user, action.seconds, action.reason);
    case 'delete': {
      const reply = await requestShowingRefusal(host, { status: 'delete', receiver: action.room });
      if (!reply) return;
      host.roomGone(reply.receiver);
      host.out.info(`deleted ${reply.receiver} and its history; its members were told`);
      return;
    }
  }
}

async function listUsers(host: CommandHost, more: boolean): Promise<void> {
  const reply = await host.commands.listing('users', more, { status: 'users' });
  if (!reply) return;
  const users = reply.users;
  host.known.addUsers(users.map((u) => u.name));
  const shown = users.map((u) => {
    const notes = [u.admin ? 'admin' : '', u.online ? 'online' : ''].filter((n) => n !== '');
    return notes.length > 0 ? `${u.name} (${notes.join(', ')})` : u.name;
  });
  const next = typeof reply.next === 'string' ? ' … (more: /users more)' : '';
  host.out.data('users', reply, shown.length > 0 ? `users: ${shown.join(', ')}${next}` : 'no more users');
}

async function kick(host: CommandHost, user: string, room: string | null, reason: string | null): Promise<void> {
  const request: RequestOf<'kick'> = {
    status: 'kick',
    receiver: user,
    ...(room !== null ? { room } : {}),
    ...(reason !== null ? { text: reason } : {}),
  };
  const reply = await requestShowingRefusal(host, request, (refusal) =>
    // A room's owner who forgot the room asked for the server-wide kick, which only admins have.
    refusal.code === 'forbidden' && room === null
      ? `${refusal.text}; to remove ${user} from a room you own: /kick ${user} #room`
      : null,
  );
  if (!reply) return;
  const why = reason !== null ? ` (${reason})` : '';
  host.out.info(
    room === null
      ? `kicked ${reply.receiver} off the server${why}; they may connect again`
      : `removed ${reply.receiver} from ${room}${why}`,
  );
}

async function mute(host: CommandHost, user: string, seconds: number, reason: string | null): Promise<void> {
  const request: RequestOf<'mute'> = {
    status: 'mute',
    receiver: user,
    seconds,
    ...(reason !== null ? { text: reason } : {}),
  };
  const reply = await requestShowingRefusal(host, request);
  if (!reply) return;
  if (reply.until === null || reply.until === undefined) {
    host.out.info(`${reply.receiver} is no longer muted`);
    return;
  }
  host.out.info(
    `muted ${reply.receiver} for ${formatDuration(seconds)}, until ${localTime(reply.until)}; /unmute ${reply.receiver} lifts it`,
  );
}

/** `14:05` today, `2026-12-03 14:05` on another day, in the local time zone. */
function localTime(iso: string): string {
  const at = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hhmm = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  if (at.toDateString() === new Date().toDateString()) return hhmm;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${hhmm}`;
}
