/**
 * What the commands kept outside session.ts (conversation-commands.ts, listing-commands.ts,
 * moderation-commands.ts, account-commands.ts: issue #12.5) use of the session: its name and link, the
 * command link with its listing pager, what it knows of rooms and users, its output, and the few pieces
 * of its state they change. The session builds one; the commands never reach into its private state.
 */
import type { ErrorReply, OkReplyOf } from '../protocol/messages.js';
import type { RequestOf, RequestStatus } from '../protocol/requests.js';
import type { Activity } from './activity.js';
import type { CommandLink } from './command-link.js';
import type { Known } from './known.js';
import type { Link } from './link.js';
import type { OutputSink } from './output.js';
import type { Target } from './parse.js';
import type { SignInPrompts } from './sign-in.js';

/** The session as the command files see it. */
export interface CommandHost {
  /** The name the session is logged in as. */
  me(): string;
  /** The logged-in link; null while disconnected or logging back in. */
  link(): Link | null;
  /** The link a conversation command waits for, requests on it and listing pages (command-link.ts). */
  readonly commands: CommandLink;
  /** Who answers questions (hidden passwords), as given at sign-in; null before it. */
  prompts(): SignInPrompts | null;
  /** The rooms the session is in and the users it knows (names seen in a listing are added). */
  readonly known: Known;
  /** Unread messages per conversation (issue #12.6): read when left, taken by /next. */
  readonly activity: Activity;
  /** Where a command says what happened. */
  readonly out: OutputSink;
  /** The conversation the prompt names. */
  current(): Target;
  /** Makes `target` the current conversation, saying `text` first when given. */
  switchTo(target: Target, text: string | null): void;
  /** A room that is gone (deleted): forgotten, and left if it is the current conversation. */
  roomGone(name: string): void;
  /** The server revoked every token and gave this one (a password set or changed): keep it for reconnects. */
  replaceToken(token: string): void;
  /** True when the name has a password (signed in with it, or set one since); false for a claimed name. */
  hasPassword(): boolean;
}

/**
 * Sends `request` on the logged-in link. On a refusal shows `explain(reply)` (the server's text when it
 * returns null) and resolves null; null too, after saying so, while disconnected.
 */
export async function requestShowingRefusal<S extends RequestStatus>(
  host: CommandHost,
  request: RequestOf<S>,
  explain: (reply: ErrorReply) => string | null = () => null,
): Promise<OkReplyOf<S> | null> {
  const link = host.link();
  if (!link) {
    host.out.error('not connected; reconnecting (try again when it says reconnected)');
    return null;
  }
  const reply = await link.request(request);
  if (reply.status === 'ok') return reply;
  host.out.error(explain(reply) ?? reply.text ?? reply.code);
  return null;
}
