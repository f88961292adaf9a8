/**
 * The commands that list (issues #5, #11.6, #12.4): /who (users online), /rooms, /list (seed 004's LIST:
 * both), /members of a room, and /files of a conversation. Listings come a page at a time (`more` asks
 * for the next); each reply is data with --json and one line to a person.
 */
import { nameKey } from '../protocol/names.js';
import type { CommandHost } from './command-host.js';
import { formatFileList } from './files/list.js';
import { plural } from './output.js';
import type { Action } from './parse.js';

/** The typed commands this file runs. */
export type ListingAction = Extract<Action, { kind: 'who' | 'list' | 'rooms' | 'members' | 'files' }>;

/** Runs one listing command; resolves when its outcome has been shown. */
export async function runListing(host: CommandHost, action: ListingAction): Promise<void> {
  switch (action.kind) {
    case 'who':
      return who(host, action.more);
    case 'list':
      await who(host, undefined);
      return rooms(host, false);
    case 'rooms':
      return rooms(host, action.more);
    case 'members':
      return members(host, action.room, action.more);
    case 'files':
      return files(host, action.receiver);
  }
}

async function who(host: CommandHost, more: boolean | undefined): Promise<void> {
  const reply = await host.commands.listing('who', more, { status: 'who' });
  if (!reply) return;
  const users = host.known.addUsers(reply.users);
  host.out.data(
    'who',
    reply,
    `online (${reply.online ?? reply.users.length}): ${users.join(', ')}${moreHint(reply, '/who more')}`,
  );
}

async function rooms(host: CommandHost, more: boolean | undefined): Promise<void> {
  const reply = await host.commands.listing('rooms', more, { status: 'rooms' });
  if (!reply) return;
  const shown = reply.rooms.map((r) => `${r.name} (${plural(r.members, 'member')}, ${r.online} online)`);
  host.out.data(
    'rooms',
    reply,
    shown.length > 0
      ? `rooms: ${shown.join(', ')}${moreHint(reply, '/rooms more')}`
      : 'no rooms yet: /join <room> creates one',
  );
}

async function members(host: CommandHost, room: string, more: boolean | undefined): Promise<void> {
  const reply = await host.commands.listing(`members:${nameKey(room)}`, more, { status: 'members', receiver: room });
  if (!reply) return;
  const shown = reply.members.map((m) => (m.online ? `${m.name} (online)` : m.name));
  host.out.data(
    'members',
    reply,
    `${reply.receiver}: ${shown.join(', ')}${moreHint(reply, `/members ${reply.receiver} more`)}`,
  );
}

async function files(host: CommandHost, receiver: string | null): Promise<void> {
  const reply = await host.commands.request(receiver === null ? { status: 'files' } : { status: 'files', receiver });
  if (reply)
    host.out.data(
      'files',
      reply,
      formatFileList(Array.isArray(reply.files) ? reply.files : [], reply.receiver ?? receiver),
    );
}

/** The hint that ends a listing page with more after it. */
function moreHint(reply: { next?: string }, command: string): string {
  return typeof reply.next === 'string' ? ` … (more: ${command})` : '';
}
