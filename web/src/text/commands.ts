/**
 * What a line typed in the composer asks for (issue #14): the terminal client's slash commands, kept small
 * (src/client/parse.ts has the full set). Anything else is text for the current conversation; `//x` sends
 * "/x". Pure.
 */

export type Command =
  | { kind: 'send'; text: string }
  | { kind: 'msg'; user: string; text: string }
  | { kind: 'join'; room: string }
  | { kind: 'create'; room: string; members: string[] }
  | { kind: 'leave'; room: string | null }
  | { kind: 'switch'; name: string }
  | { kind: 'kick'; user: string; reason: string }
  | { kind: 'mute'; user: string; seconds: number; reason: string }
  | { kind: 'delete'; room: string | null }
  | { kind: 'help' }
  | { kind: 'usage'; text: string };

/** The commands /help lists: syntax and one line each. */
export const HELP: readonly (readonly [string, string])[] = [
  ['/msg <user> [text]', 'message a user and switch to them (also /private, /dm)'],
  ['/join <room>', 'join a room and switch to it'],
  ['/create <room> [user,user,...]', 'create a room, adding members'],
  ['/leave [room]', 'leave a room (default: this one)'],
  ['/switch <user|room|everyone>', 'go to a conversation'],
  ['/kick <user> [reason]', 'room owner or admin: remove from this room'],
  ['/mute <user> <10m|2h|1d|0> [reason]', 'admins: silence a user (0 lifts it)'],
  ['/delete [room]', 'room owner or admin: delete a room'],
  ['/help', 'this list'],
  ['//text', 'send text that starts with a slash'],
];

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds in a duration like `90`, `10m`, `2h`, `1d`; null when it is not one. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)([smhd]?)$/i.exec(text);
  if (!match) return null;
  return Number(match[1]) * (UNITS[(match[2] || 's').toLowerCase()] ?? 1);
}

/** The command `line` asks for. */
export function parseCommand(line: string): Command {
  const trimmed = line.trim();
  if (trimmed.startsWith('//')) return { kind: 'send', text: line.replace(/^\s*\//, '') };
  if (!trimmed.startsWith('/')) return { kind: 'send', text: line };
  const match = /^\/(\S+)\s*([\s\S]*)$/.exec(trimmed);
  const name = (match?.[1] ?? '').toLowerCase();
  const rest = match?.[2] ?? '';
  const words = rest.split(/\s+/).filter((w) => w !== '');
  const usage = (syntax: string): Command => ({ kind: 'usage', text: `usage: ${syntax}` });
  switch (name) {
    case 'msg':
    case 'dm':
    case 'private':
    case 'query': {
      const user = words[0];
      if (!user) return usage('/msg <user> [text]');
      return { kind: 'msg', user, text: rest.slice(rest.indexOf(user) + user.length).replace(/^\s+/, '') };
    }
    case 'join':
      return words[0] ? { kind: 'join', room: words[0].replace(/^#/, '') } : usage('/join <room>');
    case 'create':
      return words[0]
        ? {
            kind: 'create',
            room: words[0].replace(/^#/, ''),
            members: words
              .slice(1)
              .join(',')
              .split(',')
              .filter((m) => m !== ''),
          }
        : usage('/create <room> [user,user,...]');
    case 'leave':
    case 'part':
      return { kind: 'leave', room: words[0]?.replace(/^#/, '') ?? null };
    case 'switch':
    case 'go':
      return words[0] ? { kind: 'switch', name: words[0].replace(/^#/, '') } : usage('/switch <user|room|everyone>');
    case 'kick':
      return words[0]
        ? { kind: 'kick', user: words[0], reason: words.slice(1).join(' ') }
        : usage('/kick <user> [reason]');
    case 'mute': {
      const seconds = words[1] === undefined ? null : parseDuration(words[1]);
      if (!words[0] || seconds === null) return usage('/mute <user> <10m|2h|1d|0> [reason]');
      return { kind: 'mute', user: words[0], seconds, reason: words.slice(2).join(' ') };
    }
    case 'unmute':
      return words[0] ? { kind: 'mute', user: words[0], seconds: 0, reason: '' } : usage('/unmute <user>');
    case 'delete':
      return { kind: 'delete', room: words[0]?.replace(/^#/, '') ?? null };
    case 'help':
    case 'menu':
      return { kind: 'help' };
    default:
      return { kind: 'usage', text: `unknown command /${name}: /help lists them (//${name} sends it as text)` };
  }
}
