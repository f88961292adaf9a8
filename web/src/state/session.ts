/**
 * The signed-in session (issue #14): one WebSocket at a time, signing in (a saved token first, then the
 * name, with a password when the server wants one), signing back in after a dropped connection or a
 * server restart with backoff, catching up on what was missed (login `since`, then `history after` the
 * last seq seen per conversation: no gap, no duplicate), then sending what the outbox holds. Incoming
 * lines are applied by incoming.ts; what the user asks for is in actions.ts.
 */
import type { ChatMessage, OkReplyOf, ReplyOf, WireObject } from '../../../src/protocol/messages.js';
import type { RequestOf, RequestStatus } from '../../../src/protocol/requests.js';
import { Link, socketUrl } from '../net/link.js';
import { Outbox } from '../net/outbox.js';
import { convKey, emptyConv, mergeMessages, type Conv, type ConvKind } from './conversations.js';
import { loadInitial } from './history.js';
import { CatchUp } from './catch-up.js';
import { applyPushed } from './incoming.js';
import { claimToken, forgetSession, loadDms, loadSession, saveClaim, saveDms, saveSession } from './storage.js';
import { refusalText } from './refusal-text.js';
import { initialState, Store } from './store.js';

type SignOn = RequestOf<'register'> | RequestOf<'login'>;

/** Backoff between reconnect attempts: 0.5 s doubling to 15 s, with jitter so a restarted server is not hit at once. */
function backoffMs(attempt: number): number {
  const base = Math.min(15_000, 500 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

/** Closing codes after which reconnecting on its own would be wrong (docs/protocol.md "Errors"). */
const NO_AUTO_RECONNECT: ReadonlySet<string> = new Set(['replaced', 'kicked', 'logged_out']);

export class Session {
  readonly store = new Store();
  readonly outbox = new Outbox((pending) => this.store.set({ pending }));
  /** The current connection; null before the first. */
  link: Link | null = null;
  /** The link is logged in (requests other than sign-on may go). */
  loggedIn = false;
  private token: string | null = null;
  /** The highest msgid of a message the server pushed: a reconnect's `since`. */
  private since = 0;
  /** Per conversation key, the highest seq read from the server (pushes and history). */
  readonly seenSeq = new Map<string, number>();
  /** What conversations missed while the connection was down, read after each login (catch-up.ts). */
  private readonly catchUp = new CatchUp();
  /** Messages still to come that waited for this login (they are "new since you were away"). */
  waitingLeft = 0;
  /** Conversations whose divider was set during this login (the next missed message does not move it). */
  readonly dividedThisLogin = new Set<string>();
  private wantOnline = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private noticeId = 1;

  constructor() {
    addEventListener('online', () => this.reconnectNow());
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) this.markRead(this.store.get().selected);
    });
  }

  /** Signs back in with the session kept from the last visit, if any. */
  start(): void {
    const saved = loadSession();
    if (!saved) return;
    this.token = saved.token === '' ? null : saved.token;
    this.wantOnline = true;
    this.store.set({ phase: 'signing-in', resuming: true, me: saved.name });
    this.connect();
  }

  /** The sign-in form: `name` and, when given, `password`. Errors land in state.signInError. */
  async signIn(name: string, password: string): Promise<void> {
    this.store.set({ phase: 'signing-in', resuming: false, signInError: null, me: name });
    let link: Link;
    try {
      link = await this.openLink();
    } catch {
      this.store.set({ phase: 'signed-out', signInError: 'Cannot reach the server. Try again in a moment.' });
      return;
    }
    const claim = claimToken(name);
    let reply: ReplyOf<'register' | 'login'> | null = null;
    try {
      if (claim !== undefined && password === '') {
        reply = await this.signOn(link, { status: 'login', sender: name, token: claim });
        if (reply.status === 'error' && reply.code === 'auth_failed') {
          saveClaim(name, null);
          reply = null;
        }
      }
      if (reply === null && password === '') reply = await this.signOn(link, { status: 'register', sender: name });
      else if (reply === null) {
        reply = await this.signOn(link, { status: 'register', sender: name, password });
        // The name has an account (or a claim with a password): log in to it.
        if (reply.status === 'error' && ['password_required', 'name_claimed', 'name_taken'].includes(reply.code))
          reply = await this.signOn(link, { status: 'login', sender: name, password });
      }
    } catch {
      this.store.set({ phase: 'signed-out', signInError: 'The connection closed. Try again.' });
      return;
    }
    if (reply.status === 'ok') return this.afterLogin(link, false);
    const needPassword = reply.code === 'password_required' || (reply.code === 'auth_failed' && password !== '');
    this.store.set({ phase: 'signed-out', signInError: refusalText(reply), needPassword });
  }

  /**
   * Sign out: `exit` (which revokes a password account's session token), then back to the form. With
   * `forgetName`, the claim token of a name without a password goes too, so the next person at a shared
   * computer cannot sign in as it (review of #14); kept, it is how this browser gets the name back.
   */
  async signOut(forgetName = false): Promise<void> {
    if (forgetName) saveClaim(this.store.get().me, null);
    this.wantOnline = false;
    this.clearRetry();
    const link = this.link;
    if (link && !link.closed && this.loggedIn) await link.request({ status: 'exit' }).catch(() => undefined);
    link?.close();
    this.link = null;
    this.endSession(null);
  }

  /**
   * The session is over (signed out, or its token no longer works): nothing of it may carry over to the
   * next name signed in here, not its queued messages, nor its `since` (which would skip the next name's).
   */
  private endSession(signInError: string | null): void {
    forgetSession();
    this.wantOnline = false;
    this.outbox.clear();
    this.token = null;
    this.since = 0;
    this.seenSeq.clear();
    this.catchUp.clear();
    this.loggedIn = false;
    this.store.set({ ...initialState(), signInError });
  }

  /** Sends a request on the logged-in link; null when offline (the caller says so). */
  async request<S extends RequestStatus>(request: RequestOf<S>): Promise<ReplyOf<S> | null> {
    const link = this.link;
    if (!link || !this.loggedIn) return null;
    try {
      return await link.request(request);
    } catch {
      return null;
    }
  }

  /** Reconnect at once (the browser is back online, or the user asked). */
  reconnectNow(): void {
    if (this.store.get().phase !== 'in' && !this.wantOnline) return;
    this.wantOnline = true;
    this.clearRetry();
    this.attempt = 0;
    this.connect();
  }

  /**
   * Notes a message the server pushed (`pushed`: it counts for `since`) or one read with `history` (it
   * does not: a session behind the server is still owed older chat than what history showed it).
   */
  noteSeen(message: ChatMessage, key: string, pushed: boolean): void {
    if (pushed && message.msgid > this.since) this.since = message.msgid;
    if (message.seq > (this.seenSeq.get(key) ?? 0)) this.seenSeq.set(key, message.seq);
  }

  /** The conversation for `kind`/`name`, made (and shown in the sidebar) if new; returns its key. */
  ensureConv(kind: ConvKind, name: string): string {
    const key = convKey(kind, name);
    const state = this.store.get();
    if (!state.convs[key]) {
      this.store.set({ convs: { ...state.convs, [key]: emptyConv(kind, name) } });
      if (kind === 'user') this.saveDmList();
    }
    return key;
  }

  /** Removes a conversation (a room left or deleted); goes to everyone if it was open. */
  dropConv(key: string): void {
    const state = this.store.get();
    const convs = { ...state.convs };
    delete convs[key];
    this.seenSeq.delete(key);
    this.catchUp.forget(key);
    this.store.set({ convs, selected: state.selected === key ? 'everyone' : state.selected });
    if (key.startsWith('user:')) this.saveDmList();
  }

  /** A local line in conversation `key` (a refusal, help text). */
  notice(key: string, text: string): void {
    const conv = this.store.get().convs[key];
    const afterMsgid = conv?.messages.at(-1)?.msgid ?? null;
    const notices = this.store.get().notices.concat({ id: this.noticeId++, convKey: key, text, afterMsgid });
    this.store.set({ notices: notices.slice(-50) });
  }

  /** Clears the unread count of `key` (it is on screen). */
  markRead(key: string): void {
    const conv = this.store.get().convs[key];
    if (conv && (conv.unread > 0 || conv.mentioned))
      this.store.updateConv(key, (c): Conv => ({ ...c, unread: 0, mentioned: false }));
  }

  /** Adds messages read from history to `key`, oldest first (no unread, no divider). */
  addHistory(key: string, messages: readonly ChatMessage[], patch: Partial<Conv>): void {
    for (const message of messages) this.noteSeen(message, key, false);
    this.store.updateConv(key, (c): Conv => ({
      ...c,
      ...patch,
      messages: mergeMessages(c.messages, messages).messages,
    }));
  }

  private saveDmList(): void {
    const state = this.store.get();
    if (state.me === '') return;
    saveDms(
      state.me,
      Object.values(state.convs)
        .filter((c) => c.kind === 'user')
        .map((c) => c.name),
    );
  }

  private openLink(): Promise<Link> {
    this.connect();
    const link = this.link!;
    return link.open.then(() => link);
  }

  private connect(): void {
    if (this.link && !this.link.closed) return;
    this.store.set({ conn: this.store.get().phase === 'in' ? 'reconnecting' : 'connecting' });
    const link: Link = new Link(socketUrl(), {
      pushed: (line) => this.onPushed(line),
      closed: (reason) => this.onClosed(link, reason),
    });
    this.link = link;
    link.open.then(
      () => {
        if (this.wantOnline) void this.relogin(link);
      },
      () => undefined,
    );
  }

  /** Sends register or login; the welcome is taken in as the reply is read, before the lines after it. */
  private signOn(link: Link, request: SignOn): Promise<ReplyOf<'register' | 'login'>> {
    return link.request(request, (reply) => {
      if (reply.status === 'ok') this.welcome(link, request, reply);
    });
  }

  private welcome(link: Link, request: SignOn, reply: OkReplyOf<'register' | 'login'>): void {
    const first = this.store.get().phase !== 'in';
    this.loggedIn = true;
    this.wantOnline = true;
    this.link = link;
    const token = reply.token ?? ('token' in request ? request.token : undefined) ?? this.token;
    this.token = token ?? null;
    saveSession(reply.sender, this.token ?? '');
    if (request.status === 'register' && request.password === undefined && reply.token !== undefined)
      saveClaim(reply.sender, reply.token);
    this.waitingLeft = reply.waiting;
    this.dividedThisLogin.clear();
    this.store.set({
      phase: 'in',
      resuming: false,
      me: reply.sender,
      role: reply.role ?? 'user',
      conn: 'connected',
      connNote: null,
      signInError: null,
      needPassword: false,
    });
    if (first) for (const name of loadDms(reply.sender)) this.ensureConv('user', name);
    for (const room of reply.rooms) this.ensureConv('room', room);
    // As the terminal client: say that older messages than those delivered now are in the history (a
    // conversation opened reads around what it holds; catch-up reads everything after its marks).
    if (reply.truncated)
      this.notice(
        this.store.get().selected,
        `${reply.waiting} messages waited; older ones are in each conversation's history (scroll up).`,
      );
    // Rooms the server no longer lists (left elsewhere, removed while away) leave the sidebar.
    const rooms = new Set(reply.rooms.map((r) => convKey('room', r)));
    for (const conv of Object.values(this.store.get().convs))
      if (conv.kind === 'room' && !rooms.has(conv.key)) this.dropConv(conv.key);
  }

  /** After a reconnect: the same name again, with the token (or the name alone on an open server). */
  private async relogin(link: Link): Promise<void> {
    const me = this.store.get().me;
    const since = this.since > 0 ? { since: this.since } : {};
    // The marks catch-up reads after, before anything this login brings can raise them.
    this.catchUp.markFrom(this.seenSeq);
    let reply: ReplyOf<'register' | 'login'>;
    try {
      reply = await this.signOn(
        link,
        this.token !== null
          ? { status: 'login', sender: me, token: this.token, ...since }
          : { status: 'register', sender: me, ...since },
      );
    } catch {
      return; // closed: onClosed schedules the next attempt
    }
    if (reply.status === 'ok') return this.afterLogin(link, true);
    if (['auth_failed', 'password_required', 'name_claimed', 'logged_out'].includes(reply.code)) {
      // The token was revoked or the name needs a password now: the same login would never succeed.
      if (this.token !== null) saveClaim(me, null);
      link.close();
      this.endSession(`Please sign in again: ${refusalText(reply)}`);
      return;
    }
    link.close(); // rate limited or the like: try again after the backoff
  }

  /** Logged in: catch up on what was missed, then send what waits and refresh the lists. */
  private async afterLogin(link: Link, again: boolean): Promise<void> {
    this.attempt = 0;
    if (again) await this.catchUp.run(this, link);
    if (link.closed) return;
    this.outbox.resume(link);
    void this.refreshPeople();
    const selected = this.store.get().convs[this.store.get().selected];
    if (selected && !selected.loaded) void loadInitial(this, selected.key);
  }

  private peopleTimer: ReturnType<typeof setTimeout> | null = null;

  /** refreshPeople() in a moment: a burst of new names costs one listing (it counts against the flood limit). */
  refreshPeopleSoon(): void {
    if (this.peopleTimer !== null) return;
    this.peopleTimer = setTimeout(() => {
      this.peopleTimer = null;
      void this.refreshPeople();
    }, 1000);
  }

  /** Everyone the server knows, online or not (paged). */
  async refreshPeople(): Promise<void> {
    const people: Record<string, { name: string; online: boolean; admin: boolean }> = {};
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      const reply = await this.request({ status: 'users', limit: 500, ...(after ? { after } : {}) });
      if (!reply || reply.status !== 'ok') return;
      for (const user of reply.users)
        people[user.name.toLowerCase()] = { name: user.name, online: user.online, admin: user.admin === true };
      if (reply.next === undefined) break;
      after = reply.next;
    }
    this.store.set({ people });
  }

  private onPushed(line: WireObject): void {
    if (line.status === 'system' && line.event === 'ping' && line.msgid === undefined) {
      void this.request({ status: 'ping' });
      return;
    }
    applyPushed(this, line);
  }

  private onClosed(link: Link, reason: { code: string; text: string } | null): void {
    if (link !== this.link) return;
    this.loggedIn = false;
    this.outbox.pause();
    const state = this.store.get();
    if (reason?.code === 'logged_out') {
      saveClaim(state.me, null);
      this.endSession(reason.text);
      return;
    }
    if (reason && NO_AUTO_RECONNECT.has(reason.code)) {
      this.wantOnline = false;
      this.store.set({ conn: 'offline', connNote: reason.text });
      return;
    }
    if (!this.wantOnline) {
      this.store.set({ conn: 'offline' });
      return;
    }
    this.store.set({ conn: 'reconnecting', connNote: reason?.text ?? null });
    this.clearRetry();
    this.retryTimer = setTimeout(() => this.connect(), backoffMs(this.attempt++));
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
