/**
 * How the terminal client shows things: each chat line has the time, the conversation and the sender;
 * colours tell private, room, broadcast, system and error lines apart (none with NO_COLOR or when the
 * output is not a terminal). Messages from the past (waiting, missed, history) keep their original time.
 */
import { mentionPattern } from './activity.js';
import type { Output, ShownMessage } from './output.js';

const COLORS = {
  private: '35',
  group: '36',
  broadcast: '32',
  system: '33',
  error: '31',
  header: '1',
  status: '1;34',
  dim: '2',
  mention: '1;33',
} as const;
type Color = keyof typeof COLORS;

export class Renderer {
  constructor(
    private readonly me: () => string,
    private readonly color: boolean,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The text to print for an output, or null for nothing. */
  render(output: Output): string | null {
    switch (output.type) {
      case 'message':
        return this.message(output.message);
      case 'event':
        return `${this.time(output.message.ts)} ${this.paint('system', `* ${output.message.text}`)}`;
      case 'header':
        return this.paint('header', `--- ${output.text} ---`);
      case 'info':
        return output.text;
      case 'error':
        return this.paint('error', `! ${output.text}`);
      case 'status':
        return this.paint('status', `*** ${output.text}`);
      case 'progress':
        return output.text;
      case 'raw':
        return null;
      case 'data': {
        const lines = output.shown.map((shown) => this.render(shown)).filter((line) => line !== null);
        return lines.length > 0 ? lines.join('\n') : null;
      }
    }
  }

  private message(m: ShownMessage): string {
    const time = this.time(m.ts);
    if (m.status === 'system') return `${time} ${this.paint('system', `[${m.receiver}] * ${m.text}`)}`;
    const mine = m.sender === this.me();
    const label =
      m.status === 'private' ? `@${mine ? m.receiver : m.sender}` : m.status === 'group' ? m.receiver : 'everyone';
    const kind: Color = m.status === 'private' ? 'private' : m.status === 'group' ? 'group' : 'broadcast';
    const head = `${time} [${label}] <${m.sender}> `;
    const text = indentLines(withoutSender(m), head.length);
    return `${time} ${this.paint(kind, `[${label}]`)} ${mine ? this.paint('dim', `<${m.sender}>`) : `<${m.sender}>`} ${mine ? text : this.mentionsHighlighted(text)}`;
  }

  /** Your name in someone else's message stands out (issue #12.6). */
  private mentionsHighlighted(text: string): string {
    const me = this.me();
    if (!this.color || me === '') return text;
    return text.replace(mentionPattern(me), (name) => this.highlight(name));
  }

  /** Text painted as a mention of you (in a message, on the status line); unchanged without colour. */
  highlight(text: string): string {
    return this.paint('mention', text);
  }

  /** HH:MM today; MM-DD HH:MM for older messages, so waiting ones show when they were sent. */
  private time(ts: string | undefined): string {
    if (!ts) return '--:--';
    const at = new Date(ts);
    const hhmm = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
    return at.toDateString() === this.now().toDateString()
      ? hhmm
      : `${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${hhmm}`;
  }

  private paint(color: Color, text: string): string {
    return this.color ? `\x1b[${COLORS[color]}m${text}\x1b[0m` : text;
  }
}

/**
 * A message's text after its `<sender>`. A file message's text names its sender ("Alice sent notes.pdf
 * …", for nc users): after `<Alice>` the name is said once (issue #12.7: the sender saw "<Alice> Alice sent").
 */
function withoutSender(m: ShownMessage): string {
  const named = `${m.sender} sent `;
  return typeof m.file === 'number' && m.text.startsWith(named) ? m.text.slice(m.sender.length + 1) : m.text;
}

/**
 * A multi-line message (a paste, issue #12.2) with its continuation lines indented under the text's
 * first column, up to MAX_INDENT, so they read as one message and not as lines of their own.
 */
function indentLines(text: string, column: number): string {
  if (!text.includes('\n')) return text;
  const indent = ' '.repeat(Math.min(column, MAX_INDENT));
  return text
    .split('\n')
    .map((line, i) => (i === 0 || line === '' ? line : indent + line))
    .join('\n');
}

/** Past this the indent takes too much of an 80-column line (a long name or room). */
const MAX_INDENT = 24;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
