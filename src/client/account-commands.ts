/**
 * A name's own account commands in the terminal client (issue #12.5): /password changes the password;
 * /register gives a name that has none (a claimed name, held by the token this client saved) its first
 * one. Passwords are asked without echo in a terminal and read from the next input lines in a script,
 * as at sign-in. The server then revokes every token and replies with a new one: the session keeps it
 * to reconnect, and the claim token saved on disk is forgotten (it no longer works, and the password
 * is the name's credential now).
 */
import type { Action } from './parse.js';
import { requestShowingRefusal, type CommandHost } from './command-host.js';
import { choosePassword, type SignInPrompts } from './sign-in.js';

export type AccountAction = Extract<Action, { kind: 'password' | 'register' }>;

/** Runs /password or /register; resolves when its outcome has been shown. */
export async function runAccountCommand(host: CommandHost, action: AccountAction): Promise<void> {
  const prompts = host.prompts();
  if (!prompts) return host.out.error('sign in first');
  return action.kind === 'password' ? changePassword(host, prompts) : protectName(host, prompts);
}

async function changePassword(host: CommandHost, prompts: SignInPrompts): Promise<void> {
  const name = host.me();
  // Asking for a current password that does not exist would only confuse.
  if (!host.hasPassword()) return host.out.error(`${name} has no password yet: /register gives it one`);
  const current = await prompts.askPassword(`current password for ${name}: `);
  // An empty answer cancels: sent, it would count as a failed login.
  if (!current) return host.out.info('password not changed');
  const replacement = await choosePassword(name, prompts, (text) => host.out.error(text), 'new');
  if (replacement === null) return host.out.info('password not changed');
  const reply = await requestShowingRefusal(
    host,
    { status: 'password', password: current, new_password: replacement },
    (refusal) => (refusal.code === 'auth_failed' ? `${refusal.text}; password not changed` : null),
  );
  if (!reply) return;
  host.replaceToken(reply.token);
  host.out.info('password changed; your other sessions must log in again');
}

async function protectName(host: CommandHost, prompts: SignInPrompts): Promise<void> {
  const name = host.me();
  if (host.hasPassword()) return host.out.error(`${name} already has a password: /password changes it`);
  const password = await choosePassword(name, prompts, (text) => host.out.error(text));
  if (password === null) return host.out.info(`${name} stays without a password`);
  const reply = await requestShowingRefusal(host, { status: 'password', new_password: password }, (refusal) =>
    refusal.code === 'password_required' ? `${name} already has a password: /password changes it` : null,
  );
  if (!reply) return;
  host.replaceToken(reply.token);
  host.out.info(`${name} is protected by your password now: the next time you connect, you log in with it`);
}
