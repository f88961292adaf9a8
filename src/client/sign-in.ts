/**
 * The questions of getting a name onto a server, as the terminal client asks them (issues #4, #11.1,
 * #11.4): a name's saved token first; then `register`; when the server answers that a password is
 * needed, a log-in asks it once and a sign-up asks it twice and compares; when it wants an invite code,
 * the code. Login.register (login.ts) runs this and keeps the connection's state; this file only talks.
 */
import type { AnyRequest, ErrorReply, ReplyOf } from '../protocol/messages.js';

/** A request that gets a name onto the server. */
export type SignOnRequest = AnyRequest<'register' | 'login'>;
/** Its reply: welcome (ok), or a refusal. */
export type SignOnReply = ReplyOf<'register' | 'login'>;

export interface SignInPrompts {
  /** Asks for a (different) name, saying why; null when the user gives up. */
  askName(reason: string | null): Promise<string | null>;
  /** Asks for a password without showing it; `confirming`: the second ask of a sign-up. Null: gave up. */
  askPassword(prompt: string, confirming?: boolean): Promise<string | null>;
  /** Asks for an invite code; absent when nobody can answer (a script), which makes the refusal final. */
  askInvite?: (reason: string) => Promise<string | null>;
}

/** What a sign-in ended with: the server's ok, the refusal to show (the caller may ask another name), or a giving-up. */
export type SignInResult = { reply: SignOnReply } | { gaveUp: true };

/** Sends one register or login and resolves with the server's reply. */
export type SendRegister = (request: SignOnRequest) => Promise<SignOnReply>;

const PASSWORD_CODES: ReadonlySet<string> = new Set(['password_required', 'auth_failed', 'weak_password']);
const INVITE_CODES: ReadonlySet<string> = new Set(['invite_required', 'bad_invite']);

/**
 * Registers `name` (with `invite` when one was given up front), answering the server's questions
 * through `prompts` until it says ok or refuses in a way no password or code answers (name_taken,
 * name_claimed, signup_closed...). `showError` prints a refusal the dialogue goes on from.
 */
export async function signIn(
  name: string,
  send: SendRegister,
  prompts: SignInPrompts,
  showError: (text: string) => void,
  invite?: string,
): Promise<SignInResult> {
  const withInvite = (request: SignOnRequest): SignOnRequest =>
    request.status === 'register' && invite !== undefined ? { ...request, invite } : request;
  let request: SignOnRequest = { status: 'register', sender: name };
  // Whether the last password asked was to log in (else to sign up): a retry after a wrong one asks the same.
  let loggingIn = true;
  for (;;) {
    const reply = await send(withInvite(request));
    if (reply.status === 'ok') return { reply };
    if (INVITE_CODES.has(reply.code) && prompts.askInvite) {
      // Asked for in the dialogue, not up front: most servers need none (issue #11.4).
      const code = await prompts.askInvite(signUpRefusal(reply, false));
      if (code === null) return { gaveUp: true };
      invite = code.trim();
      continue;
    }
    if (!PASSWORD_CODES.has(reply.code)) return { reply };
    // An account owns the name, or the server wants everyone to have one: log in, or sign up.
    if (reply.code === 'password_required') loggingIn = reply.account === true;
    else showError(reply.text ?? reply.code);
    const password = loggingIn
      ? await prompts.askPassword(`password for ${name}: `)
      : await choosePassword(name, prompts, showError);
    if (password === null) return { gaveUp: true };
    request = { status: loggingIn ? 'login' : 'register', sender: name, password };
  }
}

/**
 * The text of a refusal that ends a sign-in, in the client's words: the server's invite_required tells
 * an `nc` user to add `"invite":"<code>"` to the JSON, where a client's user gives `--invite CODE` (issue
 * #12.5: no raw JSON). `script`: nobody is asked for the code, so the flag is the way to give it.
 */
export function signUpRefusal(reply: ErrorReply, script: boolean): string {
  const flag = script ? ': start classchat chat with --invite CODE' : '';
  if (reply.code === 'invite_required')
    return `this server needs an invite code to sign up a new name${flag} (ask the instructor for one)`;
  if (reply.code === 'bad_invite')
    return `that invite code is unknown, used up or expired${flag} (ask the instructor for another)`;
  return reply.text ?? reply.code;
}

/**
 * A new password: asked twice, and again until both agree (issue #11.4); `kind` names it in the
 * questions (`new` for a change, issue #12.5). Null: gave up.
 */
export async function choosePassword(
  name: string,
  prompts: SignInPrompts,
  showError: (text: string) => void,
  kind = '',
): Promise<string | null> {
  const what = kind ? `${kind} password` : 'password';
  for (;;) {
    const first = await prompts.askPassword(`choose a ${what} for ${name} (8 characters or more): `);
    if (first === null) return null;
    const second = await prompts.askPassword(`type the ${what} for ${name} again: `, true);
    if (second === null) return null;
    if (first === second) return first;
    showError('the two passwords differ; choose one again');
  }
}

/**
 * The words for a refused register, as this client says them. The server's `name_claimed` text is
 * written for someone typing JSON at nc (it shows a login object to send); the client knows more: it
 * looked for a saved token for the name and has none (issue #12.4). Other refusals keep the server's text.
 */
export function refusalText(name: string, reply: ErrorReply, script: boolean): string {
  if (reply.code === 'name_claimed') {
    return (
      `${name} is claimed by someone else (no saved token for this name on this machine). If it is yours, use the ` +
      `computer where you first chose it, or ask the instructor to run "classchat admin release-name ${name}". Otherwise choose another name.`
    );
  }
  // The server's texts about invites say to add "invite" to the JSON; this client asks or takes --invite.
  return signUpRefusal(reply, script);
}
