/**
 * What a typed line asks for (issue #3). Slash commands first; the seeds' forms are aliases: seed 004's
 * JOIN / MSG / LEAVE / LIST / HELP / QUIT, seed 002's `server:who` and `server:exit`, and seeds 002/003's
 * `Name: text`, which sends to Name when Name is a known user or one of your rooms. Anything else is
 * text for the current conversation. Pure: the caller supplies what the client knows.
 */
import { EVERYONE, isValidName } from '../protocol/names.js';
import { MAX_MUTE_SECONDS } from '../protocol/requests.js';
import { parseDuration } from './duration.js';

/** A conversation: everyone, a room, or a user (private). */
export interface Target {
  kind: 'everyone' | 'room' | 'user';
  name: string;
}

/** The conversation with everyone: where a session starts, and goes back to when its room is gone. */
export const EVERYONE_TARGET: Target = { kind: 'everyone', name: EVERYONE };

export type Action =
  | { kind: 'send'; to: Target; text: string; switchTo?: boolean }
  | { kind: 'switch'; to: Target }
  | { kind: 'join'; room: string }
  | { kind: 'create'; room: string; members: string[] }
  | { kind: 'leave'; room: string }
  | { kind: 'who'; more?: true }
  | { kind: 'users'; more?: true }
  | { kind: 'list' }
  | { kind: 'rooms'; more?: true }
  | { kind: 'members'; room: string; more?: true }
  | { kind: 'history'; target: Target | null; count: number }
  | { kind: 'send-file'; receiver: string; path: string }
  | { kind: 'files'; receiver: string | null }
  | { kind: 'get'; file: number; dir: string | null }
  // Issue #12.5: run by moderation-commands.ts and account-commands.ts.
  | { kind: 'kick'; user: string; room: string | null; reason: string | null }
  | { kind: 'mute'; user: string; seconds: number; reason: string | null }
  | { kind: 'delete'; room: string }
  | { kind: 'password' }
  | { kind: 'register' }
  | { kind: 'next' }
  | { kind: 'help' }
  | { kind: 'exit' }
  | { kind: 'usage'; text: string }
  | { kind: 'none' };

export interface ParseContext {
  current: Target;
  /** True for a room the user is a member of (case-insensitive). */
  isMyRoom(name: string): boolean;
  /** True for a user the client knows of (online now, or talked with). */
  isKnownUser(name: string): boolean;
}

export const DEFAULT_HISTORY_COUNT = 20;

/** Every slash command with its syntax and one line of help, in the order /help shows them. */
export const SLASH_COMMANDS: readonly { name: string; aliases: string[]; syntax: string; help: string }[] = [
  {
    name: 'private',
    aliases: ['msg', 'dm'],
    syntax: '/private <user> [text]',
    help: 'message a user (queued if offline) and switch to them',
  },
  { name: 'group', aliases: [], syntax: '/group <room> <text>', help: 'message a room you are in' },
  { name: 'join', aliases: [], syntax: '/join <room>', help: 'join (or create) a room and switch to it' },
  { name: 'create', aliases: [], syntax: '/create <room> [user,user,...]', help: 'create a room, adding members' },
  { name: 'leave', aliases: [], syntax: '/leave [room]', help: 'leave a room (default: the current one)' },
  { name: 'switch', aliases: [], syntax: '/switch <user|room|everyone>', help: 'talk to someone else' },
  { name: 'who', aliases: [], syntax: '/who [more]', help: 'users online, 100 a page (more: the next page)' },
  { name: 'users', aliases: [], syntax: '/users [more]', help: 'every known user, online or not' },
  { name: 'list', aliases: [], syntax: '/list', help: 'users online and rooms' },
  { name: 'rooms', aliases: [], syntax: '/rooms [more]', help: 'rooms and their member counts, 100 a page' },
  {
    name: 'members',
    aliases: [],
    syntax: '/members [room] [more]',
    help: "a room's members (default: the current room)",
  },
  {
    name: 'history',
    aliases: [],
    syntax: '/history [room|user] [n]',
    help: `the last n messages (default ${DEFAULT_HISTORY_COUNT})`,
  },
  { name: 'send', aliases: [], syntax: '/send <user|room> <path>', help: 'send a file (resumes after a reconnect)' },
  { name: 'files', aliases: [], syntax: '/files [room|user]', help: 'files sent to you or your rooms, with their ids' },
  { name: 'get', aliases: [], syntax: '/get <id> [dir]', help: 'download a file (default dir: ./downloads)' },
  {
    name: 'kick',
    aliases: [],
    syntax: '/kick <user> [#room] [reason]',
    help: 'remove from a room; admins: from the server',
  },
  {
    name: 'mute',
    aliases: [],
    syntax: '/mute <user> <time> [reason]',
    help: 'admins: silence a user (time: 10m, 2h, 1d)',
  },
  { name: 'unmute', aliases: [], syntax: '/unmute <user>', help: 'admins: lift a mute' },
  { name: 'delete', aliases: [], syntax: '/delete <room>', help: 'delete a room and its history (owner, admin)' },
  { name: 'password', aliases: [], syntax: '/password', help: 'change your password' },
  { name: 'register', aliases: [], syntax: '/register', help: 'protect your name with a password' },
  { name: 'next', aliases: [], syntax: '/next', help: 'go to the next unread conversation (Alt-a)' },
  { name: 'help', aliases: ['menu'], syntax: '/help', help: 'this list' },
  { name: 'exit', aliases: ['quit'], syntax: '/exit', help: 'leave ClassChat' },
];

const BY_NAME = new Map<string, string>();
for (const c of SLASH_COMMANDS) for (const n of [c.name, ...c.aliases]) BY_NAME.set(n, c.name);

const NAME_TEXT = /^([A-Za-z0-9._-]{1,32})\s*:\s*([\s\S]*)$/;

export function parseLine(line: string, ctx: ParseContext): Action {
  const input = line.trim();
  if (input === '') return { kind: 'none' };
  // `//shrug` sends "/shrug" (issue #12.7): the usual escape for a text that starts with a slash.
  if (input.startsWith('//')) return { kind: 'send', to: ctx.current, text: input.slice(1) };
  if (input.startsWith('/')) return parseSlash(input, ctx);
  const seed = parseSeedForm(input, ctx);
  if (seed) return seed;
  const addressed = NAME_TEXT.exec(input);
  if (addressed) {
    const [, name, text] = addressed as unknown as [string, string, string];
    const to = targetOfKnown(name, ctx);
    if (to && text.trim() !== '') return { kind: 'send', to, text: text.trim() };
  }
  return { kind: 'send', to: ctx.current, text: input };
}

function parseSlash(input: string, ctx: ParseContext): Action {
  const [word = '', ...rest] = input.slice(1).split(/\s+/);
  const name = BY_NAME.get(word.toLowerCase());
  const args = input.slice(1 + word.length).trim();
  const usage = (text: string): Action => ({ kind: 'usage', text: `usage: ${text}` });
  switch (name) {
    case 'private': {
      const [user = '', ...words] = args.split(/\s+/);
      if (!user) return usage('/private <user> [text]');
      const to: Target = { kind: 'user', name: user.replace(/^@/, '') };
      const text = words.join(' ').trim();
      return text ? { kind: 'send', to, text, switchTo: true } : { kind: 'switch', to };
    }
    case 'group': {
      const [room = '', ...words] = args.split(/\s+/);
      const text = words.join(' ').trim();
      if (!room || !text) return usage('/group <room> <text>');
      return { kind: 'send', to: { kind: 'room', name: room }, text };
    }
    case 'join':
      return rest.length === 1 && isValidName(rest[0]!)
        ? { kind: 'join', room: rest[0]! }
        : usage('/join <room>  (1-32 letters, digits, ".", "_" or "-")');
    case 'create': {
      const [room = '', ...more] = rest;
      if (!isValidName(room)) return usage('/create <room> [user,user,...]');
      const members = more
        .join(',')
        .split(',')
        .map((m) => m.trim())
        .filter((m) => m !== '');
      return { kind: 'create', room, members };
    }
    case 'leave': {
      if (rest.length > 1) return usage('/leave [room]');
      const room = rest[0] ?? (ctx.current.kind === 'room' ? ctx.current.name : '');
      return room ? { kind: 'leave', room } : usage('/leave <room>  (you are not in a room now)');
    }
    case 'switch': {
      if (rest.length !== 1) return usage('/switch <user|room|everyone>');
      return { kind: 'switch', to: targetOf(rest[0]!, ctx) };
    }
    case 'who':
    case 'users':
    case 'rooms':
      // Listings come in pages (issue #11.6): `more` asks for the page after the last one shown.
      if (args === 'more') return { kind: name, more: true };
      return args === '' ? { kind: name } : usage(`/${name} [more]`);
    case 'list':
    case 'password':
    case 'register':
    case 'next':
    case 'help':
    case 'exit':
      return args === '' ? { kind: name } : usage(`/${name}`);
    case 'kick': {
      // The room is marked with # unless it is one of yours: an unmarked word is the reason's start,
      // so `/kick Bob spamming` (admins) is never read as a room named "spamming".
      const [user = '', second, ...more] = rest;
      if (!user) return usage('/kick <user> [#room] [reason]  (without a room: off the server, admins only)');
      const inRoom = second !== undefined && (second.startsWith('#') || ctx.isMyRoom(second));
      const reason = (inRoom ? more : rest.slice(1)).join(' ');
      return {
        kind: 'kick',
        user: user.replace(/^@/, ''),
        room: inRoom ? second.replace(/^#/, '') : null,
        reason: reason || null,
      };
    }
    case 'mute': {
      const [user = '', time = '', ...more] = rest;
      const seconds = parseDuration(time);
      if (!user || seconds === null || seconds < 1 || seconds > MAX_MUTE_SECONDS)
        return usage('/mute <user> <time> [reason]  (time: 90s, 10m, 2h or 1d; at most 30d)');
      return { kind: 'mute', user: user.replace(/^@/, ''), seconds, reason: more.join(' ') || null };
    }
    case 'unmute':
      // The server's mute of 0 seconds lifts a mute.
      return rest.length === 1
        ? { kind: 'mute', user: rest[0]!.replace(/^@/, ''), seconds: 0, reason: null }
        : usage('/unmute <user>');
    case 'delete':
      return rest.length === 1 ? { kind: 'delete', room: rest[0]!.replace(/^#/, '') } : usage('/delete <room>');
    case 'members': {
      // Without a room: the current one (issue #12.7); `more` alone pages it.
      const current = ctx.current.kind === 'room' ? ctx.current.name : null;
      const more = rest.at(-1) === 'more' && (rest.length === 2 || current !== null);
      const names = more ? rest.slice(0, -1) : rest;
      const room = names[0] ?? current;
      if (names.length > 1 || room === null)
        return usage(`/members <room> [more]${current === null ? '  (you are not in a room now)' : ''}`);
      return more ? { kind: 'members', room, more: true } : { kind: 'members', room };
    }
    case 'history': {
      let count = DEFAULT_HISTORY_COUNT;
      const words = args === '' ? [] : args.split(/\s+/);
      if (words.length > 0 && /^\d+$/.test(words.at(-1)!)) count = Number(words.pop());
      if (words.length > 1 || count < 1 || count > 200) return usage('/history [room|user] [n]  (n from 1 to 200)');
      return { kind: 'history', target: words.length === 1 ? targetOf(words[0]!, ctx) : null, count };
    }
    case 'send': {
      const to = args.split(/\s+/)[0] ?? '';
      // The rest of the line as typed: a path may hold runs of spaces.
      const file = unquote(args.slice(to.length).trim());
      if (!to || !file) return usage('/send <user|room> <path>');
      return { kind: 'send-file', receiver: to.replace(/^[@#]/, ''), path: file };
    }
    case 'files':
      if (rest.length > 1) return usage('/files [room|user]');
      return { kind: 'files', receiver: rest[0] ? rest[0].replace(/^[@#]/, '') : null };
    case 'get': {
      const id = args.split(/\s+/)[0] ?? '';
      if (!/^[1-9]\d{0,14}$/.test(id)) return usage('/get <id> [dir]  (the id is the number in [id 7])');
      const dir = unquote(args.slice(id.length).trim());
      return { kind: 'get', file: Number(id), dir: dir === '' ? null : dir };
    }
    default:
      return { kind: 'usage', text: `unknown command /${word}; /help lists the commands` };
  }
}

/** Seed 004's upper-case commands and seed 002's `server:` commands, exactly as the seeds write them. */
function parseSeedForm(input: string, ctx: ParseContext): Action | null {
  if (input === 'server:who') return { kind: 'who' };
  if (input === 'server:exit') return { kind: 'exit' };
  const [word, ...rest] = input.split(/\s+/);
  const args = input.slice(word!.length).trim();
  switch (word) {
    case 'JOIN':
      return rest.length === 1 && isValidName(rest[0]!)
        ? { kind: 'join', room: rest[0]! }
        : { kind: 'usage', text: 'usage: JOIN <room>' };
    case 'LEAVE':
      if (ctx.current.kind !== 'room') return { kind: 'usage', text: 'LEAVE: you are not in a room' };
      return { kind: 'leave', room: ctx.current.name };
    case 'LIST':
      return { kind: 'list' };
    case 'HELP':
      return { kind: 'help' };
    case 'QUIT':
      return { kind: 'exit' };
    case 'MSG': {
      if (args === '') return { kind: 'usage', text: 'usage: MSG <text>  or  MSG <user>:<text>' };
      const addressed = NAME_TEXT.exec(args);
      if (addressed && addressed[2]!.trim() !== '')
        return { kind: 'send', to: { kind: 'user', name: addressed[1]! }, text: addressed[2]!.trim() };
      return { kind: 'send', to: ctx.current, text: args };
    }
    default:
      return null;
  }
}

/** A path typed in quotes because it has spaces: "my notes.pdf" or 'my notes.pdf'. */
function unquote(text: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(text);
  return quoted ? quoted[2]! : text;
}

/** A target named by the user: `everyone`, one of their rooms, `@user`, a known user, else a room. */
export function targetOf(name: string, ctx: ParseContext): Target {
  if (name.toLowerCase() === EVERYONE) return { kind: 'everyone', name: EVERYONE };
  if (name.startsWith('@')) return { kind: 'user', name: name.slice(1) };
  if (name.startsWith('#')) return { kind: 'room', name: name.slice(1) };
  return targetOfKnown(name, ctx) ?? { kind: 'room', name };
}

function targetOfKnown(name: string, ctx: ParseContext): Target | null {
  if (name.toLowerCase() === EVERYONE) return { kind: 'everyone', name: EVERYONE };
  if (ctx.isMyRoom(name)) return { kind: 'room', name };
  if (ctx.isKnownUser(name)) return { kind: 'user', name };
  return null;
}

/** How the prompt names a conversation: `everyone`, `CS350`, `@Bob`. */
export function targetLabel(target: Target): string {
  return target.kind === 'user' ? `@${target.name}` : target.name;
}
