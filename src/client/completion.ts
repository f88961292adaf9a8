/** Tab completion at the interactive prompt: slash commands as the first word, else users and rooms. */
import { SLASH_COMMANDS } from './parse.js';
import type { Session } from './session.js';

const COMMAND_WORDS = SLASH_COMMANDS.flatMap((c) => [c.name, ...c.aliases]).map((w) => `/${w}`);

/** readline's completer: the completions of the last word of `line`, and that word. */
export function complete(line: string, session: Session): [string[], string] {
  const words = line.split(/\s+/);
  const word = words.at(-1) ?? '';
  if (words.length === 1 && word.startsWith('/')) {
    const hits = COMMAND_WORDS.filter((c) => c.startsWith(word.toLowerCase()));
    return [hits, word];
  }
  const { users, rooms } = session.completions();
  const bare = word.replace(/^[@#]/, '');
  const hits = [...new Set([...users, ...rooms, 'everyone'])]
    .filter((n) => n.toLowerCase().startsWith(bare.toLowerCase()))
    .sort();
  return [hits.map((h) => word.slice(0, word.length - bare.length) + h), word];
}
