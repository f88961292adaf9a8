/**
 * The commands that move between conversations (issues #3, #12.6, #12.7): /switch to a conversation
 * that exists, /join (creating the room when there is none, as seeds 002 and 004 expect), /create,
 * /leave, /history, and /next to the next conversation with unread messages. Each says what happened
 * and makes the conversation it names the current one.
 */
import type { ReplyOf } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import { unreadHeader } from './activity.js';
import type { CommandHost } from './command-host.js';
import { LONG_WAIT_MS, pacedRequest } from './outbox.js';
import { plural, type Output } from './output.js';
import { EVERYONE_TARGET, targetLabel, type Action, type Target } from './parse.js';
import { checkSwitchTarget, type SwitchCheck } from './switch-target.js';

/** The typed commands this file runs. */
export type ConversationAction = Extract<Action, { kind: 'switch' | 'join' | 'create' | 'leave' | 'history' | 'next' }>;

/** Runs one conversation command; resolves when its outcome has been shown. */
export async function runConversationCommand(host: CommandHost, action: ConversationAction): Promise<void> {
  switch (action.kind) {
    case 'switch':
      return switchChecked(host, action.to);
    case 'join':
      return join(host, action.room);
    case 'create':
      return create(host, action.room, action.members);
    case 'leave':
      return leave(host, action.room);
    case 'history':
      return history(host, action.target ?? host.current(), action.count);
    case 'next':
      return next(host);
  }
}

/** Switches to a target that exists (issue #12.7); otherwise says why and stays. */
async function switchChecked(host: CommandHost, target: Target): Promise<void> {
  const { known } = host;
  // A target the client knows needs no request; one it must ask the server about needs the link.
  const noLink = new Error('no link');
  let checked: SwitchCheck;
  try {
    checked = await checkSwitchTarget(target, known, async (request) => {
      const link = await host.commands.link();
      if (!link) throw noLink;
      return pacedRequest(link, request, LONG_WAIT_MS);
    });
  } catch (err) {
    if (err === noLink) return; // the command link said why
    throw err;
  }
  if ('refused' in checked)
    return host.out.error(`${checked.refused}; still talking to ${targetLabel(host.current())}`);
  if (checked.to.kind === 'user') known.addUser(checked.to.name);
  host.switchTo(checked.to, `talking to ${targetLabel(checked.to)}`);
}

/** Joins a room, creating it when it does not exist yet (seeds 002 and 004), and switches to it. */
async function join(host: CommandHost, room: string): Promise<void> {
  const link = await host.commands.link();
  if (!link) return;
  let reply: ReplyOf<'join' | 'create'> = await pacedRequest(link, { status: 'join', receiver: room }, LONG_WAIT_MS);
  let note = 'joined';
  if (reply.status === 'error' && reply.code === 'no_such_room') {
    reply = await pacedRequest(link, { status: 'create', receiver: room }, LONG_WAIT_MS);
    note = 'created';
  }
  let joined: { receiver: string; members: string[] | null };
  if (reply.status === 'ok') joined = reply;
  else if (reply.code === 'already_a_member') {
    joined = { receiver: host.known.myRoom(room) ?? room, members: null };
    note = 'already in';
  } else return host.out.error(reply.text);
  host.known.addRoom(joined.receiver);
  const members = joined.members ? ` (members: ${joined.members.join(', ')})` : '';
  host.switchTo({ kind: 'room', name: joined.receiver }, `${note} ${joined.receiver}${members}`);
}

async function create(host: CommandHost, room: string, members: string[]): Promise<void> {
  const reply = await host.commands.request({ status: 'create', receiver: room, members });
  if (!reply) return;
  host.known.addRoom(reply.receiver);
  host.switchTo({ kind: 'room', name: reply.receiver }, `${reply.text}; talking in ${reply.receiver}`);
}

async function leave(host: CommandHost, room: string): Promise<void> {
  const reply = await host.commands.request({ status: 'leave', receiver: room });
  if (!reply) return;
  host.known.dropRoom(reply.receiver);
  host.activity.read({ kind: 'room', name: reply.receiver });
  host.out.info(reply.text);
  const current = host.current();
  if (current.kind === 'room' && nameKey(current.name) === nameKey(reply.receiver))
    host.switchTo(EVERYONE_TARGET, null);
}

/** The last `count` messages of a conversation: data with --json, a header and the lines to a person. */
async function history(host: CommandHost, target: Target, count: number): Promise<void> {
  const reply = await host.commands.request({ status: 'history', receiver: target.name, limit: count });
  if (!reply) return;
  const header: Output = {
    type: 'header',
    text: `history of ${target.kind === 'user' ? '@' : ''}${reply.receiver}: ${plural(reply.messages.length, 'message')}`,
  };
  const messages = reply.messages.map((message): Output => ({ type: 'message', message, phase: 'history' }));
  host.out.emit({ type: 'data', command: 'history', reply, shown: [header, ...messages] });
}

/** Switches to the next conversation with unread messages and shows them again (issue #12.6). */
function next(host: CommandHost): void {
  const unread = host.activity.next();
  if (!unread) return host.out.info('no unread messages');
  host.switchTo(unread.target, null);
  // One data output: a --json script gets one client-data object and never takes a message shown
  // again for a new one; a person sees the header and the lines.
  const shown: Output[] = [
    { type: 'header', text: unreadHeader(unread) },
    ...unread.messages.map((message): Output => ({ type: 'message', message, phase: 'unread' })),
  ];
  host.out.emit({
    type: 'data',
    command: 'next',
    reply: { receiver: targetLabel(unread.target), unread: unread.count, messages: unread.messages },
    shown,
  });
}
