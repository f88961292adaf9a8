/**
 * What a session shows: everything it has to say is one Output, which the screens print (screen.ts),
 * the renderer puts in words (render.ts) and the activity list counts (activity.ts). The parts of the
 * session say it through an OutputSink; the session emits each Output as its 'output' event. No I/O.
 */
import type { WireObject } from '../protocol/messages.js';

/** How a message came: as it happened, waiting at login, caught up after a reconnect, asked for, sent by us, or shown again by /next. */
export type Phase = 'live' | 'waiting' | 'missed' | 'history' | 'own' | 'unread';

/**
 * A chat message as a screen reads it: a ChatMessage from the wire (src/protocol/messages.ts) is one,
 * and so is the client's own message built from the reply that confirmed it. Structural, with any
 * `status` and the ids optional, because showing a message trusts none of its fields.
 */
export type ShownMessage = {
  status: string;
  sender: string;
  receiver: string;
  text: string;
  ts?: string;
  msgid?: number;
  seq?: number;
  event?: string;
  file?: number;
};

/** An event shown as a line of its own (presence, a burst of it as one line): its words and its time. */
export type ShownEvent = { text: string; ts?: string };

/** One thing the session shows. */
export type Output =
  | { type: 'message'; message: ShownMessage; phase: Phase }
  | { type: 'event'; message: ShownEvent }
  | { type: 'header'; text: string }
  | { type: 'info'; text: string }
  | { type: 'error'; text: string }
  | { type: 'status'; text: string }
  /** A transfer's progress line (key: which transfer); text null when it is over and the line goes away. */
  | { type: 'progress'; key: string; text: string | null; percent: number; done: boolean }
  /** A line the server pushed, as it came (--json prints it). */
  | { type: 'raw'; message: WireObject }
  /**
   * A reply that carries data (`who`, `rooms`, `members`, `history`, `files`; issue #12.4): `reply` for
   * --json, `shown` for a person (the lines the other screens print instead).
   */
  | { type: 'data'; command: string; reply: Record<string, unknown>; shown: Output[] };

/** The one way the parts of a session show something: each call is one Output, emitted as it comes. */
export class OutputSink {
  constructor(readonly emit: (output: Output) => void) {}

  info(text: string): void {
    this.emit({ type: 'info', text });
  }

  error(text: string): void {
    this.emit({ type: 'error', text });
  }

  /** A line about the connection (lost, reconnecting, reconnected). */
  status(text: string): void {
    this.emit({ type: 'status', text });
  }

  /** A line above messages that belong together (what waited, what was missed, a history page). */
  header(text: string): void {
    this.emit({ type: 'header', text });
  }

  /** Shows a reply that carries data: as data with --json, as `text` to a person (issue #12.4). */
  data(command: string, reply: Record<string, unknown>, text: string): void {
    this.emit({ type: 'data', command, reply, shown: [{ type: 'info', text }] });
  }
}

/** `3 messages`, `1 message`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
