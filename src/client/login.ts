/**
 * Getting the session's name onto the server (issues #4, #11.1, #11.4, #12.4), and back on after a
 * reconnect. First with the token saved for the name, else through the sign-in dialogue (sign-in.ts),
 * asking another name while one is refused; the welcome (the name as stored, its rooms, how many
 * messages waited) is taken in as the reply is read, before the lines that follow it. Keeps what a
 * reconnect logs in with: the session token, and whether the name has a password (/password and
 * /register ask).
 */
import type { WelcomeReply } from '../protocol/messages.js';
import type { Incoming } from './incoming.js';
import type { Known } from './known.js';
import type { LinkKeeper, Relogin } from './link-keeper.js';
import { plural, type OutputSink } from './output.js';
import type { PresenceBursts } from './presence-bursts.js';
import { refusalText, signIn, type SignInPrompts, type SignOnReply, type SignOnRequest } from './sign-in.js';

/** How a register ended; `reason`: why a script could not register, for stderr (null: input ended or the user gave up). */
export type Registration = { registered: true } | { registered: false; reason: string | null };

/** The tokens kept on disk for this server's names (issue #11.1; SavedTokens bound to one address). */
export interface NameTokens {
  get(name: string): string | undefined;
  save(name: string, token: string): void;
  forget(name: string): void;
}

/**
 * Refusals of a script's first register that no next line answers (issue #11.1, #11.4) even when the
 * name came from the script's first line: the client says why and exits non-zero. (name_taken is not
 * here: the seeds' scripts give another name on their next line.)
 */
const FINAL_REGISTER_CODES: ReadonlySet<string> = new Set([
  'name_claimed',
  'signup_closed',
  'invite_required',
  'bad_invite',
]);
/** Refusals of a reconnect's login that the same login will always get. */
const FINAL_LOGIN_CODES: ReadonlySet<string> = new Set(['auth_failed', 'password_required', 'name_claimed']);

/** What logging in uses of the session. */
export interface LoginHost {
  /** Where claim tokens are kept between runs; none: in memory only. */
  readonly tokens: NameTokens | undefined;
  /** Whether a person answers the questions (else a script, which stops on a refusal it cannot answer). */
  readonly interactive: boolean;
  /** The invite code given with --invite (issue #11.4), sent with a register. */
  readonly invite: string | undefined;
  readonly keeper: LinkKeeper;
  readonly known: Known;
  readonly incoming: Incoming;
  readonly presence: PresenceBursts;
  readonly out: OutputSink;
}

/** Logs the session's name in, first and after each reconnect, and keeps its credentials for that. */
export class Login {
  /** The name logged in as; empty before the first login. */
  name = '';
  /** The session token from the last login that gave one: reconnects use it instead of a password. */
  private token: string | null = null;
  /** Whether the name signed in with a password (else with a claim or none): /password or /register. */
  private withPassword = false;
  /** Who answers questions, from sign-in on: /password and /register ask theirs the same way. */
  private askedBy: SignInPrompts | null = null;

  constructor(private readonly host: LoginHost) {}

  /** True when the name has a password (signed in with it, or set one since); false for a claimed name. */
  get hasPassword(): boolean {
    return this.withPassword;
  }

  /** Who answers questions, as given at sign-in; null before it. */
  get prompts(): SignInPrompts | null {
    return this.askedBy;
  }

  /**
   * Gets `name` (or one asked for) onto the server, answering its questions through `prompts`
   * (sign-in.ts), and asking another name while it is refused. Not registered when the user gives up,
   * or when a script's refusal has no answer (issue #11.1, #12.4): the reason, if any, is for stderr.
   * Rejects if the connection closes first.
   */
  async register(name: string | null, prompts: SignInPrompts): Promise<Registration> {
    this.askedBy = prompts;
    let candidate = name ?? (await prompts.askName(null));
    for (;;) {
      if (candidate === null) return { registered: false, reason: null };
      const saved = await this.loginWithSavedToken(candidate);
      const result = saved
        ? { reply: saved }
        : await signIn(
            candidate,
            (request) => this.requestLogin(request, false),
            prompts,
            (text) => this.host.out.error(text),
            this.host.invite,
          );
      if ('gaveUp' in result) return { registered: false, reason: null };
      const { reply } = result;
      if (reply.status === 'ok') {
        this.host.out.info(reply.text);
        return { registered: true };
      }
      const reason = refusalText(candidate, reply, !this.host.interactive);
      // A script cannot answer with another name: its next line is a chat line, which must not become
      // the name (issue #12.4). With --user every refusal ends it; a script that gives the name as its
      // first line (the seeds') gives the next name on the next line, except for these refusals.
      if (!this.host.interactive && (name !== null || FINAL_REGISTER_CODES.has(reply.code)))
        return { registered: false, reason };
      candidate = await prompts.askName(reason);
    }
  }

  /**
   * After a reconnect: logs the same name in again, with the session token if there is one, asking
   * for what arrived after the last message pushed (`since`: what this client already has is not sent
   * again; it would be shown once anyway).
   */
  async logBackIn(): Promise<Relogin> {
    const resume = { sender: this.name, ...(this.host.known.since > 0 ? { since: this.host.known.since } : {}) };
    const reply = await this.requestLogin(
      this.token ? { status: 'login', token: this.token, ...resume } : { status: 'register', ...resume },
      true,
    );
    if (reply.status === 'ok') return { ok: true };
    if (!FINAL_LOGIN_CODES.has(reply.code)) return { retry: reply.text ?? reply.code };
    // The token was revoked (a password change or reset, an exit elsewhere), or the name now needs a
    // password: retrying the same login can never succeed.
    if (this.token !== null && reply.code === 'auth_failed') this.host.tokens?.forget(this.name);
    this.token = null;
    return { final: `cannot log back in as ${this.name}: ${reply.text ?? reply.code}` };
  }

  /** The server revoked every token and gave this one (a password set or changed): reconnects use it. */
  replaceToken(token: string): void {
    this.token = token;
    this.withPassword = true;
    this.host.tokens?.forget(this.name);
  }

  /**
   * Logs `name` in with the token saved for it, if there is one (issue #11.1). Resolves null when there
   * is none or the server no longer takes it (released, reset): the caller then registers as new.
   */
  private async loginWithSavedToken(name: string): Promise<SignOnReply | null> {
    const token = this.host.tokens?.get(name);
    if (token === undefined) return null;
    const reply = await this.requestLogin({ status: 'login', sender: name, token }, false);
    if (reply.status === 'ok') {
      this.token = token;
      return reply;
    }
    if (reply.code !== 'auth_failed') return reply;
    this.host.tokens?.forget(name);
    return null;
  }

  /**
   * Sends register or login. `again`: after a reconnect (only the header's words differ). Keeps the
   * session token a login returns, to reconnect later without the password.
   */
  private requestLogin(request: SignOnRequest, again: boolean): Promise<SignOnReply> {
    const link = this.host.keeper.link;
    if (!link) return Promise.reject(new Error('connection closed'));
    return link.request(request, (reply) => {
      if (reply.status !== 'ok') return;
      // Set as the reply is read, before the events that follow it in the same read.
      if (again) this.host.presence.reconnected();
      // A reconnect logs in with the session token either way: only the first sign-in tells.
      if (!again) this.withPassword = request.password !== undefined;
      this.host.keeper.loggedInOn(link);
      if (typeof reply.token === 'string') {
        this.token = reply.token;
        // Only a name's claim token goes to disk: it is that name's one credential and exit keeps it.
        // A password account's token stays in memory (the password is the credential; exit revokes it).
        if (request.status === 'register' && request.password === undefined)
          this.host.tokens?.save(reply.sender, reply.token);
      }
      this.name = reply.sender;
      this.welcome(reply, again);
    });
  }

  /** The rooms the name is in, and a header over the messages that waited (they follow the reply). */
  private welcome(reply: WelcomeReply, again: boolean): void {
    this.host.known.setRooms(reply.rooms ?? []);
    const waiting = reply.waiting ?? 0;
    this.host.incoming.expectWaiting(waiting);
    if (waiting > 0) {
      const older = reply.truncated ? '; older ones: /history' : '';
      const what = again ? 'while you were away' : 'for you';
      this.host.out.header(`${plural(waiting, 'message')} waited ${what}${older}`);
    }
  }
}
