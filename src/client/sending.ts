/**
 * Chat messages typed (issues #12.2, #12.3): each goes into the outbox, which sends them in order and
 * across reconnects, and is shown as sent (or refused) when its reply comes. A paste is one message,
 * or several cut at line boundaries when it is over the size limit. A message typed while there is no
 * connection waits for the reconnect, and the user is told so at once.
 */
import type { ChatMessage } from '../protocol/messages.js';
import { EVERYONE } from '../protocol/names.js';
import type { Known } from './known.js';
import { splitAtLines } from './message-split.js';
import type { ChatRequest, Outbox, SendOutcome } from './outbox.js';
import type { OutputSink } from './output.js';
import type { Target } from './parse.js';

/** What sending uses of the session. */
export interface SenderHost {
  readonly outbox: Outbox;
  readonly known: Known;
  readonly out: OutputSink;
  /** The name logged in as. */
  me(): string;
  /** The conversation the prompt names. */
  current(): Target;
  /** Makes `target` the current conversation (saying `text` first, when given). */
  switchTo(target: Target, text: string | null): void;
}

/** Sends what is typed as chat messages, through the outbox. */
export class Sender {
  constructor(private readonly host: SenderHost) {}

  /** A paste of several lines: one message, or several cut at line boundaries when it is over the size limit. */
  async paste(text: string): Promise<void> {
    const to = this.host.current();
    try {
      for (const message of splitAtLines(text)) await this.send(to, message, false);
    } catch (err) {
      this.host.out.error(`not sent: ${(err as Error).message}`);
    }
  }

  /**
   * Queues a message in the outbox; shows it as sent (or refused) when its reply comes. `switchAfter`:
   * the conversation becomes the current one (`/msg Bob hi`).
   */
  async send(to: Target, text: string, switchAfter: boolean): Promise<void> {
    const request: ChatRequest =
      to.kind === 'everyone'
        ? { status: 'broadcast', text }
        : { status: to.kind === 'room' ? 'group' : 'private', receiver: to.name, text };
    const queued = !this.host.outbox.online;
    const sent = this.host.outbox.add(request, (outcome) =>
      this.showSent(request, to, text, switchAfter && !queued, outcome),
    );
    if (queued) {
      this.host.out.info('queued: will send when reconnected');
      // At once, not at the reply after the reconnect: the next lines typed are meant for them too.
      if (switchAfter) this.host.switchTo(to, null);
    }
    await sent;
  }

  private showSent(request: ChatRequest, to: Target, text: string, switchAfter: boolean, reply: SendOutcome): void {
    const { known, out } = this.host;
    if (reply.status !== 'ok') return out.error(reply.text ?? reply.code);
    const own: ChatMessage = {
      status: request.status,
      sender: this.host.me(),
      receiver: reply.receiver ?? EVERYONE,
      text,
      msgid: reply.msgid,
      seq: reply.seq,
      ts: reply.ts,
    };
    known.remember(own, 'own');
    out.emit({ type: 'message', message: own, phase: 'own' });
    // A private message to someone offline waits for them: the reply says so.
    if ('queued' in reply && reply.queued && reply.text !== undefined) out.info(reply.text);
    if (to.kind === 'user') known.addUser(reply.receiver);
    if (switchAfter) this.host.switchTo({ kind: to.kind, name: reply.receiver ?? to.name }, null);
  }
}
