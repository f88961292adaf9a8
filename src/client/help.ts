/**
 * What /help prints (issue #12.7): every slash command with its syntax, help and aliases, within 80
 * columns. The help column starts after the longest syntax up to SYNTAX_COLUMNS; a longer syntax gets
 * a line of its own with its help below, and help text wraps at word boundaries, so a command added to
 * SLASH_COMMANDS with a long syntax or help still fits.
 */
import { SLASH_COMMANDS } from './parse.js';

export type HelpEntry = { syntax: string; help: string; aliases: readonly string[] };

/** A terminal's usual width: /help must fit it without wrapping. */
export const HELP_WIDTH = 80;
const INDENT = '  ';
/** At most this much of a line goes to the syntax column; a longer syntax goes on its own line. */
const SYNTAX_COLUMNS = 30;

const FOOTER =
  'Text without a command goes to the current conversation; "Name: text" goes to Name; "//shrug" sends "/shrug". A paste of several lines is sent as one message, all of it as text.';

/** The /help text for `commands`, every line at most `width` columns. */
export function helpText(commands: readonly HelpEntry[] = SLASH_COMMANDS, width = HELP_WIDTH): string {
  const syntaxWidth = Math.min(SYNTAX_COLUMNS, Math.max(0, ...commands.map((c) => c.syntax.length)));
  const helpIndent = ' '.repeat(INDENT.length + syntaxWidth + 1);
  const lines = ['commands:'];
  for (const c of commands) {
    const help = `${c.help}${c.aliases.length ? ` (also /${c.aliases.join(', /')})` : ''}`;
    const helpLines = wrap(help, width - helpIndent.length);
    if (c.syntax.length <= syntaxWidth) {
      lines.push(`${INDENT}${c.syntax.padEnd(syntaxWidth)} ${helpLines[0] ?? ''}`.trimEnd());
    } else {
      lines.push(...wrap(c.syntax, width - INDENT.length).map((l) => INDENT + l));
      lines.push(helpIndent + (helpLines[0] ?? ''));
    }
    lines.push(...helpLines.slice(1).map((l) => helpIndent + l));
  }
  lines.push(...wrap(FOOTER, width - INDENT.length).map((l) => INDENT + l));
  return lines.join('\n');
}

/** `text` in lines of at most `width` characters, broken at spaces (a longer word is cut). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter((w) => w !== '')) {
    while (word.length > width) {
      if (line) lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = '';
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
