/**
 * What the commands kept outside session.ts (moderation-commands.ts, account-commands.ts: issue #12.5)
 * use of the session: its name and link, its listing pager, its output, and the few pieces of its state
 * they change. The session builds one; the commands never reach into its private state.
 */
import type { Link, ServerObject } from './link.js';
import type { SignInPrompts } from './sign-in.js';

export interface CommandHost {
  /** The name the session is logged in as. */
  me(): string;
  /** The logged-in link; null while disconnected or logging back in. */
  link(): Link | null;
  /** Who answers questions (hidden passwords), as given at sign-in; null before it. */
  prompts(): SignInPrompts | null;
  /** A page of a listing (issue #11.6): the first, or with `more` the one after the page shown last. */
  listing(key: string, more: boolean | undefined, request: ServerObject): Promise<ServerObject | null>;
  info(text: string): void;
  error(text: string): void;
  /** Shows a reply that carries data (a listing): as data with --json, as `text` to a person (issue #12.4). */
  data(command: string, reply: ServerObject, text: string): void;
  /** Names seen in a listing: known from now on (completion, `Name: text`). */
  rememberUsers(names: string[]): void;
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
export async function requestShowingRefusal(
  host: CommandHost,
  request: ServerObject,
  explain: (reply: ServerObject) => string | null = () => null,
): Promise<ServerObject | null> {
  const link = host.link();
  if (!link) {
    host.error('not connected; reconnecting (try again when it says reconnected)');
    return null;
  }
  const reply = await link.request(request);
  if (reply.status === 'ok') return reply;
  host.error(explain(reply) ?? reply.text ?? reply.code);
  return null;
}
