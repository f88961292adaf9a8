/**
 * The terminal client's session: registers (asking again when a name is taken), runs what the user
 * types, keeps track of conversations, and survives a dropped connection: it retries with capped,
 * jittered backoff, registers the same name again, and shows what it missed, with no gap (history
 * after the last seq it saw in each conversation) and no duplicate (message ids it has shown).
 */
import { EventEmitter } from 'node:events';
import { EVERYONE, nameKey } from '../protocol/names.js';
import { Activity, unreadHeader } from './activity.js';
import { fetchMissed, type Conversation } from './catch-up.js';
import { ConnectError } from './dial.js';
import { TransferError } from './files/context.js';
import { formatFileList } from './files/list.js';
import { Transfers } from './files/transfers.js';
import type { Link, ServerObject } from './link.js';
import { refusalText, signIn, type SignInPrompts } from './sign-in.js';
import { runAccountCommand } from './account-commands.js';
import type { CommandHost } from './command-host.js';
import { helpText } from './help.js';
import { splitAtLines } from './message-split.js';
import { runModeration } from './moderation-commands.js';
import { LONG_WAIT_MS, Outbox, pacedRequest } from './outbox.js';
import { parseLine, targetLabel, type Action, type Target } from './parse.js';
import { PresenceBursts } from './presence-bursts.js';
import { checkSwitchTarget } from './switch-target.js';

/** How a message came: as it happened, waiting at login, caught up after a reconnect, asked for, sent by us, or shown again by /next. */
export type Phase = 'live' | 'waiting' | 'missed' | 'history' | 'own' | 'unread';

export type Output =
  | { type: 'message'; message: ServerObject; phase: Phase }
  | { type: 'event'; message: ServerObject }
  | { type: 'header'; text: string }
  | { type: 'info'; text: string }
  | { type: 'error'; text: string }
  | { type: 'status'; text: string }
  /** A transfer's progress line (key: which transfer); text null when it is over and the line goes away. */
  | { type: 'progress'; key: string; text: string | null; percent: number; done: boolean }
  | { type: 'raw'; message: ServerObject }
  /**
   * A reply that carries data (`who`, `rooms`, `members`, `history`, `files`; issue #12.4): `reply` for
   * --json, `shown` for a person (the lines the other screens print instead).
   */
  | { type: 'data'; command: string; reply: ServerObject; shown: Output[] };

export interface SessionEvents {
  output: [Output];
  /** The current conversation changed: redraw the prompt. */
  target: [Target];
  /** The session is over (exit, or the server went away for good). */
  end: [number];
}

/** How Session.register ended; `reason`: why a script could not register, for stderr (null: input ended or the user gave up). */
export type Registration = { registered: true } | { registered: false; reason: string | null };

/** The tokens kept on disk for this server's names (issue #11.1; SavedTokens bound to one address). */
export interface NameTokens {
  get(name: string): string | undefined;
  save(name: string, token: string): void;
  forget(name: string): void;
}

export interface SessionOptions {
  /** Opens a connection to the server (also to reconnect); rejects with ConnectError when it cannot. */
  connect: () => Promise<Link>;
  /** Where the token of a name claimed without a password is kept between runs; none: kept in memory only. */
  tokens?: NameTokens;
  /** Whether a person answers the questions; a script stops on a refusal it cannot answer (see register). */
  interactive?: boolean;
  /** The invite code given with --invite (issue #11.4), sent with a register. */
  invite?: string;
  /** Reconnect backoff: first delay and cap, in ms. */
  retryFirstMs?: number;
  retryCapMs?: number;
}

const CHAT_KINDS = new Set(['private', 'group', 'broadcast', 'system']);
const EVERYONE_TARGET: Target = { kind: 'everyone', name: EVERYONE };
const MAX_REMEMBERED_IDS = 50_000;

/** Closing errors after which reconnecting is wrong (see Session.stopReason). */
const FINAL_CLOSE_CODES = new Set(['replaced', 'kicked', 'logged_out']);
/**
 * Refusals of a script's first register that no next line answers (issue #11.1, #11.4) even when the
 * name came from the script's first line: the client says why and exits non-zero. (name_taken is not
 * here: the seeds' scripts give another name on their next line.)
 */
const FINAL_REGISTER_CODES = new Set(['name_claimed', 'signup_closed', 'invite_required', 'bad_invite']);
/** Refusals of a reconnect's login that the same login will always get. */
const FINAL_LOGIN_CODES = new Set(['auth_failed', 'password_required', 'name_claimed']);

export class Session extends EventEmitter<SessionEvents> {
  name = '';
  current: Target = EVERYONE_TARGET;
  private link: Link | null = null;
  private readonly myRooms = new Map<string, string>();
  private readonly knownUsers = new Map<string, string>();
  private readonly conversations = new Map<string, Conversation>();
  private readonly shown = new Set<number>();
  /** Where the next page of a listing starts (`who`, `rooms`, `members:<room>`), from the last reply's `next`. */
  private readonly nextPage = new Map<string, string>();
  /** Chat messages still to come that waited for us at login. */
  private waitingLeft = 0;
  private exiting = false;
  /** Messages typed were never sent (the session ended while disconnected): the exit code says so. */
  private lostMessages = false;
  /** The next reconnect attempt, while one is scheduled. */
  private reconnectTimer: NodeJS.Timeout | null = null;
  private retries = 0;
  /** The session token from the last login with a password: reconnects use it instead. */
  private token: string | null = null;
  /** Highest msgid received: sent as `since` when reconnecting. */
  private lastMsgid = 0;
  /** Why the last reconnect attempt failed, said once until the reason changes. */
  private lastFailure = '';
  /**
   * Set when reconnecting would be wrong: the server closed this connection because the account
   * logged in elsewhere (reconnecting would close that one, and so on back and forth) or an
   * administrator removed the user or logged them out (`logged_out`, issue #11.3: a reconnect with a
   * revoked token would fail, and a `register` could claim a released name afresh); or a reconnect's login was refused for good (the session's
   * token was revoked). The client then ends instead of retrying forever.
   */
  private stopReason: string | null = null;
  /** Whether the current link has a logged-in name (transfers wait for that after a reconnect). */
  private loggedIn = false;
  private readyWaiters: { resolve: (link: Link) => void; reject: (err: Error) => void }[] = [];
  /** Whether the name signed in with a password (else with a claim or none): /password or /register. */
  private hasPassword = false;
  /** Who answers questions, from sign-in on: /password and /register ask theirs the same way. */
  private prompts: SignInPrompts | null = null;
  /** What the moderation and account commands (issue #12.5) may use of this session. */
  private readonly host: CommandHost = {
    me: () => this.name,
    link: () => (this.outbox.online ? this.link : null),
    prompts: () => this.prompts,
    listing: (key, more, request) => this.listing(key, more, request),
    info: (text) => this.info(text),
    error: (text) => this.error(text),
    data: (command, reply, text) => this.data(command, reply, text),
    rememberUsers: (names) => void this.rememberUsers(names),
    roomGone: (name) => this.roomGone(name),
    replaceToken: (token) => {
      this.token = token;
      this.hasPassword = true;
      this.options.tokens?.forget(this.name);
    },
    hasPassword: () => this.hasPassword,
  };
  /** File uploads and downloads running in the background (issue #5). */
  private readonly transfers = new Transfers({
    ready: () => this.ready(),
    output: (output) => this.emit('output', output),
    showOwn: (message) => {
      this.remember(message);
      this.emit('output', { type: 'message', message, phase: 'own' });
    },
    me: () => this.name,
    isMyRoom: (name) => this.myRooms.has(nameKey(name)),
  });
  /** Chat messages on their way: in order, paced by the server's flood limit, kept across reconnects (issue #12.2, #12.3). */
  private readonly outbox = new Outbox({
    longWait: (ms, queued) =>
      this.info(`the server asks to wait ${Math.ceil(ms / 1000)} s before more messages; ${queued} waiting to be sent`),
  });

  /** Contacts' online/offline events, a burst of them shown as one line (issue #12.7). */
  private readonly presence: PresenceBursts;

  /** Unread messages per conversation and mentions (issue #12.6), kept from this session's own outputs. */
  readonly activity = new Activity(() => this.name);

  constructor(private readonly options: SessionOptions) {
    super();
    this.presence = new PresenceBursts((message) => this.emit('output', { type: 'event', message }));
    this.on('output', (output) => this.activity.note(output, this.current));
    this.on('target', (target) => this.activity.read(target));
  }

  /** Connects; rejects with ConnectError when the server cannot be reached. */
  async connect(): Promise<void> {
    this.attach(await this.options.connect());
  }

  /**
   * Gets `name` (or one asked for) onto the server, answering its questions through `prompts`
   * (sign-in.ts), and asking another name while it is refused. Not registered when the user gives up,
   * or when a script's refusal has no answer (issue #11.1, #12.4): the reason, if any, is for stderr.
   * Rejects if the connection closes first.
   */
  async register(name: string | null, prompts: SignInPrompts): Promise<Registration> {
    this.prompts = prompts;
    let candidate = name ?? (await prompts.askName(null));
    for (;;) {
      if (candidate === null) return { registered: false, reason: null };
      const saved = await this.loginWithSavedToken(candidate);
      const result = saved
        ? { reply: saved }
        : await signIn(
            candidate,
            (request) => this.requestRegister(request, false),
            prompts,
            (text) => this.error(text),
            this.options.invite,
          );
      if ('gaveUp' in result) return { registered: false, reason: null };
      const { reply } = result;
      if (reply.status === 'ok') {
        this.emit('output', { type: 'info', text: reply.text });
        this.outbox.resume(this.link!);
        return { registered: true };
      }
      const reason = refusalText(candidate, reply, !this.options.interactive);
      // A script cannot answer with another name: its next line is a chat line, which must not become
      // the name (issue #12.4). With --user every refusal ends it; a script that gives the name as its
      // first line (the seeds') gives the next name on the next line, except for these refusals.
      if (!this.options.interactive && (name !== null || FINAL_REGISTER_CODES.has(reply.code)))
        return { registered: false, reason };
      candidate = await prompts.askName(reason);
    }
  }

  /**
   * Logs `name` in with the token saved for it, if there is one (issue #11.1). Resolves null when there
   * is none or the server no longer takes it (released, reset): the caller then registers as new.
   */
  private async loginWithSavedToken(name: string): Promise<ServerObject | null> {
    const token = this.options.tokens?.get(name);
    if (token === undefined) return null;
    const reply = await this.requestRegister({ status: 'login', sender: name, token }, false);
    if (reply.status === 'ok') {
      this.token = token;
      return reply;
    }
    if (reply.code !== 'auth_failed') return reply;
    this.options.tokens?.forget(name);
    return null;
  }

  /**
   * Sends register or login. `again`: after a reconnect (only the header's words differ). Keeps the
   * session token a login returns, to reconnect later without the password.
   */
  private requestRegister(request: ServerObject, again: boolean): Promise<ServerObject> {
    if (!this.link) return Promise.reject(new Error('connection closed'));
    const link = this.link;
    return link.request(request, (reply) => {
      if (reply.status !== 'ok') return;
      // Set as the reply is read, before the events that follow it in the same read.
      if (again) this.presence.reconnected();
      this.loggedIn = true;
      // A reconnect logs in with the session token either way: only the first sign-in tells.
      if (!again) this.hasPassword = request.password !== undefined;
      for (const waiter of this.readyWaiters.splice(0)) waiter.resolve(link);
      if (typeof reply.token === 'string') {
        this.token = reply.token;
        // Only a name's claim token goes to disk: it is that name's one credential and exit keeps it.
        // A password account's token stays in memory (the password is the credential; exit revokes it).
        if (request.status === 'register' && request.password === undefined)
          this.options.tokens?.save(reply.sender, reply.token);
      }
      this.name = reply.sender;
      this.myRooms.clear();
      for (const room of reply.rooms ?? []) this.myRooms.set(nameKey(room), room);
      this.waitingLeft = reply.waiting ?? 0;
      if (this.waitingLeft > 0) {
        const older = reply.truncated ? '; older ones: /history' : '';
        const what = again ? 'while you were away' : 'for you';
        this.emit('output', {
          type: 'header',
          text: `${this.waitingLeft} message${this.waitingLeft === 1 ? '' : 's'} waited ${what}${older}`,
        });
      }
    });
  }

  private attach(link: Link): void {
    this.link = link;
    link.on('message', (message) => this.onServerMessage(message));
    link.on('close', () => this.onClose());
  }

  /**
   * Runs one typed line; resolves when its reply has been shown, or when a message is queued to wait for
   * the reconnect. A line with newlines is a paste (the interactive screen joins one, issue #12.2): text
   * for the current conversation, whatever its lines start with.
   */
  async handleLine(line: string): Promise<void> {
    if (line.includes('\n')) return this.sendPaste(line);
    const action = parseLine(line, {
      current: this.current,
      isMyRoom: (n) => this.myRooms.has(nameKey(n)),
      isKnownUser: (n) => this.knownUsers.has(nameKey(n)),
    });
    try {
      await this.run(action);
    } catch (err) {
      this.emit('output', {
        type: 'error',
        text: this.exiting ? 'disconnected' : `not sent: ${(err as Error).message}`,
      });
    }
  }

  private async run(action: Action): Promise<void> {
    switch (action.kind) {
      case 'none':
        return;
      case 'usage':
        return this.error(action.text);
      case 'send':
        return this.send(action.to, action.text, action.switchTo === true);
      case 'switch':
        return this.switchChecked(action.to);
      case 'join':
        return this.join(action.room);
      case 'create': {
        const reply = await this.request({ status: 'create', receiver: action.room, members: action.members });
        if (!reply) return;
        this.myRooms.set(nameKey(reply.receiver), reply.receiver);
        return this.switchTo({ kind: 'room', name: reply.receiver }, `${reply.text}; talking in ${reply.receiver}`);
      }
      case 'leave': {
        const reply = await this.request({ status: 'leave', receiver: action.room });
        if (!reply) return;
        this.myRooms.delete(nameKey(reply.receiver));
        this.activity.read({ kind: 'room', name: reply.receiver });
        this.info(reply.text);
        if (this.current.kind === 'room' && nameKey(this.current.name) === nameKey(reply.receiver))
          this.switchTo(EVERYONE_TARGET, null);
        return;
      }
      case 'who': {
        const reply = await this.listing('who', action.more, { status: 'who' });
        if (reply)
          this.data(
            'who',
            reply,
            `online (${reply.online ?? reply.users.length}): ${this.rememberUsers(reply.users).join(', ')}${this.moreHint(reply, '/who more')}`,
          );
        return;
      }
      case 'list':
      case 'rooms': {
        if (action.kind === 'list') await this.run({ kind: 'who' });
        const reply = await this.listing('rooms', action.kind === 'rooms' && action.more, { status: 'rooms' });
        if (!reply) return;
        const rooms = reply.rooms.map(
          (r: ServerObject) => `${r.name} (${r.members} member${r.members === 1 ? '' : 's'}, ${r.online} online)`,
        );
        this.data(
          'rooms',
          reply,
          rooms.length > 0
            ? `rooms: ${rooms.join(', ')}${this.moreHint(reply, '/rooms more')}`
            : 'no rooms yet: /join <room> creates one',
        );
        return;
      }
      case 'members': {
        const reply = await this.listing(`members:${nameKey(action.room)}`, action.more, {
          status: 'members',
          receiver: action.room,
        });
        if (reply)
          this.data(
            'members',
            reply,
            `${reply.receiver}: ${reply.members.map((m: ServerObject) => (m.online ? `${m.name} (online)` : m.name)).join(', ')}${this.moreHint(reply, `/members ${reply.receiver} more`)}`,
          );
        return;
      }
      case 'history':
        return this.history(action.target ?? this.current, action.count);
      case 'send-file':
        this.transfers.send(action.receiver, action.path);
        return;
      case 'get':
        this.transfers.get(action.file, action.dir);
        return;
      case 'files': {
        const reply = await this.request(
          action.receiver === null ? { status: 'files' } : { status: 'files', receiver: action.receiver },
        );
        if (reply)
          this.data(
            'files',
            reply,
            formatFileList(Array.isArray(reply.files) ? reply.files : [], reply.receiver ?? action.receiver),
          );
        return;
      }
      case 'users':
      case 'kick':
      case 'mute':
      case 'delete':
        return runModeration(this.host, action);
      case 'password':
      case 'register':
        return runAccountCommand(this.host, action);
      case 'next':
        return this.next();
      case 'help':
        this.info(helpText());
        return;
      case 'exit':
        return this.exit();
    }
  }

  /** A paste of several lines: one message, or several cut at line boundaries when it is over the size limit. */
  private async sendPaste(text: string): Promise<void> {
    const to = this.current;
    try {
      for (const message of splitAtLines(text)) await this.send(to, message, false);
    } catch (err) {
      this.error(`not sent: ${(err as Error).message}`);
    }
  }

  /** Queues a message in the outbox; shows it as sent (or refused) when its reply comes. */
  private async send(to: Target, text: string, switchAfter: boolean): Promise<void> {
    const request =
      to.kind === 'everyone'
        ? { status: 'broadcast', text }
        : { status: to.kind === 'room' ? 'group' : 'private', receiver: to.name, text };
    const queued = !this.outbox.online;
    const sent = this.outbox.add(request, (reply) => this.showSent(request, to, text, switchAfter && !queued, reply));
    if (queued) {
      this.info('queued: will send when reconnected');
      // At once, not at the reply after the reconnect: the next lines typed are meant for them too.
      if (switchAfter) this.switchTo(to, null);
    }
    await sent;
  }

  private showSent(request: ServerObject, to: Target, text: string, switchAfter: boolean, reply: ServerObject): void {
    if (reply.status !== 'ok') return this.error(reply.text ?? reply.code);
    const own = {
      status: request.status,
      sender: this.name,
      receiver: reply.receiver ?? EVERYONE,
      text,
      msgid: reply.msgid,
      seq: reply.seq,
      ts: reply.ts,
    };
    this.remember(own, 'own');
    this.emit('output', { type: 'message', message: own, phase: 'own' });
    if (reply.queued) this.info(reply.text);
    if (to.kind === 'user') this.knownUsers.set(nameKey(reply.receiver), reply.receiver);
    if (switchAfter) this.switchTo({ kind: to.kind, name: reply.receiver ?? to.name }, null);
  }

  /** Joins a room, creating it when it does not exist yet (seeds 002 and 004), and switches to it. */
  private async join(room: string): Promise<void> {
    const link = await this.commandLink();
    if (!link) return;
    let reply = await pacedRequest(link, { status: 'join', receiver: room }, LONG_WAIT_MS);
    let note = 'joined';
    if (reply.status === 'error' && reply.code === 'no_such_room') {
      reply = await pacedRequest(link, { status: 'create', receiver: room }, LONG_WAIT_MS);
      note = 'created';
    }
    if (reply.status === 'error' && reply.code === 'already_a_member') {
      reply = { status: 'ok', receiver: this.myRooms.get(nameKey(room)) ?? room, members: null };
      note = 'already in';
    }
    if (reply.status !== 'ok') return this.error(reply.text);
    this.myRooms.set(nameKey(reply.receiver), reply.receiver);
    const members = reply.members ? ` (members: ${reply.members.join(', ')})` : '';
    this.switchTo({ kind: 'room', name: reply.receiver }, `${note} ${reply.receiver}${members}`);
  }

  private async history(target: Target, count: number): Promise<void> {
    const reply = await this.request({ status: 'history', receiver: target.name, limit: count });
    if (!reply) return;
    const header: Output = {
      type: 'header',
      text: `history of ${target.kind === 'user' ? '@' : ''}${reply.receiver}: ${reply.messages.length} message${reply.messages.length === 1 ? '' : 's'}`,
    };
    const messages = reply.messages.map((message: ServerObject): Output => ({
      type: 'message',
      message,
      phase: 'history',
    }));
    this.emit('output', { type: 'data', command: 'history', reply, shown: [header, ...messages] });
  }

  /** Switches to the next conversation with unread messages and shows them again (issue #12.6). */
  private next(): void {
    const unread = this.activity.next();
    if (!unread) return this.info('no unread messages');
    this.switchTo(unread.target, null);
    // One data output: a --json script gets one client-data object and never takes a message shown
    // again for a new one; a person sees the header and the lines.
    const shown: Output[] = [
      { type: 'header', text: unreadHeader(unread) },
      ...unread.messages.map((message): Output => ({ type: 'message', message, phase: 'unread' })),
    ];
    this.emit('output', {
      type: 'data',
      command: 'next',
      reply: { receiver: targetLabel(unread.target), unread: unread.count, messages: unread.messages },
      shown,
    });
  }

  /** `waitForOutbox`: send what is queued first, while connected (an /exit typed after a paste). */
  private async exit(waitForOutbox = true): Promise<void> {
    if (waitForOutbox) await this.outbox.sentOrPaused();
    this.exiting = true;
    // Between reconnect attempts: no further attempt (it would keep the process alive, or log back in).
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.reportUnsent();
    this.cancelWaitingTransfers();
    const link = this.link;
    if (!link || link.closed) {
      // Between reconnect attempts there is no connection to close: end here.
      this.emit('end', this.lostMessages ? 1 : 0);
      return;
    }
    await link.request({ status: 'exit' }).catch(() => undefined);
    link.close();
  }

  /** Ends the session as input ends: after the replies to what was sent and the transfers still running, leave cleanly. */
  async finish(): Promise<void> {
    if (this.transfers.active > 0 && !this.exiting)
      this.info('waiting for file transfers to finish (Ctrl-C stops them)');
    // A script's every line is delivered (issue #12.2, #12.3): across a reconnect if need be.
    if (this.outbox.size > 0 && !this.outbox.online && !this.exiting)
      this.info(`waiting to reconnect to send ${plural(this.outbox.size, 'message')} (Ctrl-C gives up)`);
    await this.outbox.empty();
    await this.transfers.settled();
    if (!this.exiting) await this.exit();
  }

  /** Ends the session now (Ctrl-C), stopping any transfer. */
  async interrupt(): Promise<void> {
    if (!this.exiting) await this.exit(false);
  }

  /** The session ends: what the outbox still holds is given up, and the user told how much. */
  private reportUnsent(): void {
    const unsent = this.outbox.abandon();
    if (unsent === 0) return;
    this.error(`${plural(unsent, 'message')} not sent`);
    this.lostMessages = true;
  }

  /** The session is ending: transfers waiting for a link stop (a later /send or /get resumes them). */
  private cancelWaitingTransfers(): void {
    const cancelled = new TransferError(
      'cancelled',
      'the session ended (a later /send or /get continues where it stopped)',
    );
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(cancelled);
  }

  /**
   * The logged-in link for file transfers: at once when there is one, else after the reconnect and
   * login; rejects with TransferError('cancelled') once the session ends.
   */
  ready(): Promise<Link> {
    if (this.exiting || this.stopReason !== null)
      return Promise.reject(new TransferError('cancelled', 'the session ended'));
    if (this.link && this.loggedIn && !this.link.closed) return Promise.resolve(this.link);
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Sends a request; shows an error and resolves null when it is refused. */
  private async request(body: ServerObject): Promise<ServerObject | null> {
    const link = await this.commandLink();
    if (!link) return null;
    // Flood refusals are waited out (issue #12.2); a long wait (a stored-bytes budget) is the answer instead.
    const reply = await pacedRequest(link, body, LONG_WAIT_MS);
    if (reply.status === 'ok') return reply;
    this.error(reply.text ?? reply.code);
    return null;
  }

  /**
   * The link a command goes out on: after the messages typed before it (a script's /leave comes after
   * its last line to the room), once logged in and caught up, which is when the outbox sends again (a
   * command sent during a reconnect's login would be refused, or overtake the queued messages). While a
   * reconnect's login is under way, or always in a script, it waits for that; a person typing while
   * there is no connection is told so. Null (after saying why) when there is no link to use.
   */
  private async commandLink(): Promise<Link | null> {
    for (;;) {
      await this.outbox.sentOrPaused();
      if (this.outbox.online && this.link) return this.link;
      if (this.exiting || this.stopReason !== null) break;
      const loggingIn = this.link !== null && !this.link.closed;
      if (!loggingIn && this.options.interactive) break;
      await this.outbox.changed();
    }
    this.error(this.exiting ? 'disconnected' : 'not connected; reconnecting');
    return null;
  }

  /** Switches to a target that exists (issue #12.7); otherwise says why and stays. */
  private async switchChecked(target: Target): Promise<void> {
    const known = {
      isMyRoom: (n: string) => this.myRooms.has(nameKey(n)),
      isKnownUser: (n: string) => this.knownUsers.has(nameKey(n)),
    };
    // A target the client knows needs no request; one it must ask the server about needs the link.
    const noLink = new Error('no link');
    let checked: Awaited<ReturnType<typeof checkSwitchTarget>>;
    try {
      checked = await checkSwitchTarget(target, known, async (request) => {
        const link = await this.commandLink();
        if (!link) throw noLink;
        return pacedRequest(link, request, LONG_WAIT_MS);
      });
    } catch (err) {
      if (err === noLink) return; // commandLink said why
      throw err;
    }
    if ('refused' in checked) return this.error(`${checked.refused}; still talking to ${targetLabel(this.current)}`);
    if (checked.to.kind === 'user') this.knownUsers.set(nameKey(checked.to.name), checked.to.name);
    this.switchTo(checked.to, `talking to ${targetLabel(checked.to)}`);
  }

  private switchTo(target: Target, text: string | null): void {
    this.current = target;
    if (text) this.info(text);
    this.emit('target', target);
  }

  private onServerMessage(message: ServerObject): void {
    if (message.status === 'error' && message.ref === undefined && FINAL_CLOSE_CODES.has(message.code))
      this.stopReason = message.text ?? message.code;
    if (!CHAT_KINDS.has(message.status) || (message.status === 'system' && message.msgid === undefined)) {
      this.emit('output', { type: 'raw', message });
      if (CHAT_KINDS.has(message.status)) this.onPresence(message);
      return;
    }
    const phase: Phase = this.waitingLeft > 0 ? 'waiting' : 'live';
    if (this.waitingLeft > 0) this.waitingLeft--;
    if (typeof message.msgid === 'number' && this.shown.has(message.msgid)) return; // seen before a reconnect
    this.emit('output', { type: 'raw', message });
    this.remember(message);
    if (message.status === 'private' || message.status === 'group' || message.status === 'broadcast')
      this.knownUsers.set(nameKey(message.sender), message.sender);
    if (message.status === 'system' && message.event === 'created')
      this.myRooms.set(nameKey(message.receiver), message.receiver);
    this.emit('output', { type: 'message', message, phase });
  }

  private onPresence(message: ServerObject): void {
    if (message.event === 'ping') {
      // The server drops connections it does not hear from (issue #4); answering is all it wants.
      this.link?.request({ status: 'ping' }).catch(() => undefined);
      return;
    }
    if (message.event === 'connect') this.knownUsers.set(nameKey(message.sender), message.sender);
    if (message.event === 'deleted') this.roomGone(message.receiver);
    if (message.event === 'shutdown') this.emit('output', { type: 'status', text: message.text });
    else this.presence.push(message);
  }

  /**
   * Notes a message as shown and, for a message the server pushed, how far its conversation has been
   * seen. The reply to our own message does not count for that: the server may still hold older
   * messages for us (a reader that fell behind gets them from its store later, issue #11.11), so its
   * msgid is no proof that everything below it arrived, and `since` or a history page from it would
   * skip them.
   */
  private remember(message: ServerObject, origin: 'pushed' | 'own' = 'pushed'): void {
    if (typeof message.msgid !== 'number') return;
    this.shown.add(message.msgid);
    if (this.shown.size > MAX_REMEMBERED_IDS) this.shown.delete(this.shown.values().next().value as number);
    if (origin === 'own') return;
    if (message.msgid > this.lastMsgid) this.lastMsgid = message.msgid;
    const conv = this.conversationOf(message);
    if (!conv) return;
    const known = this.conversations.get(conv.key);
    if (!known || message.seq > known.lastSeq)
      this.conversations.set(conv.key, { receiver: conv.receiver, lastSeq: message.seq });
  }

  private conversationOf(message: ServerObject): { key: string; receiver: string } | null {
    if (typeof message.seq !== 'number') return null;
    if (message.status === 'broadcast') return { key: EVERYONE, receiver: EVERYONE };
    if (message.status === 'private') {
      const other = nameKey(message.sender) === nameKey(this.name) ? message.receiver : message.sender;
      return { key: `@${nameKey(other)}`, receiver: other };
    }
    return { key: `#${nameKey(message.receiver)}`, receiver: message.receiver };
  }

  /** A room deleted (by us or its owner or an admin): forgotten, and left if it is the current one. */
  private roomGone(name: string): void {
    this.myRooms.delete(nameKey(name));
    // Its unread count goes too: /next must not switch into a room that is gone.
    this.activity.read({ kind: 'room', name });
    if (this.current.kind === 'room' && nameKey(this.current.name) === nameKey(name))
      this.switchTo(EVERYONE_TARGET, null);
  }

  private rememberUsers(users: string[]): string[] {
    for (const user of users) this.knownUsers.set(nameKey(user), user);
    return users;
  }

  /** Names for tab completion. */
  completions(): { users: string[]; rooms: string[] } {
    return { users: [...this.knownUsers.values()], rooms: [...this.myRooms.values()] };
  }

  private onClose(): void {
    this.presence.flush();
    this.link = null;
    this.loggedIn = false;
    this.outbox.pause();
    if (this.exiting || this.name === '') {
      // Before a name is registered there is nothing to resume: register() rejects and the caller says why.
      this.emit('end', this.exiting && !this.lostMessages ? 0 : 1);
      return;
    }
    if (this.stopReason !== null) {
      this.error(`${this.stopReason}; not reconnecting. Start classchat chat again to log in.`);
      this.reportUnsent();
      this.cancelWaitingTransfers();
      this.emit('end', 1);
      return;
    }
    this.emit('output', { type: 'status', text: 'connection to the server lost; reconnecting…' });
    if (this.outbox.size > 0) this.info(`${plural(this.outbox.size, 'message')} will be sent when reconnected`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const first = this.options.retryFirstMs ?? 500;
    const cap = this.options.retryCapMs ?? 15_000;
    const base = Math.min(cap, first * 2 ** this.retries++);
    const delay = base * (0.5 + Math.random()); // jitter: a class reconnecting after a restart spreads out
    this.reconnectTimer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    this.reconnectTimer = null;
    if (this.exiting) return;
    let link: Link;
    try {
      link = await this.options.connect();
    } catch (err) {
      if (!(err instanceof ConnectError)) throw err;
      if (this.exiting) return;
      // Worth telling: a TLS certificate that no longer verifies would otherwise look like a slow server.
      if (err.message !== this.lastFailure) this.emit('output', { type: 'status', text: `${err.message}; retrying` });
      this.lastFailure = err.message;
      this.scheduleReconnect();
      return;
    }
    // The session ended (/exit, Ctrl-C) while this dial was under way: it must not log back in.
    if (this.exiting) return link.close();
    this.attach(link);
    try {
      // `since`: what this client already has is not sent again (it would be shown once anyway).
      const resume = { sender: this.name, ...(this.lastMsgid > 0 ? { since: this.lastMsgid } : {}) };
      const reply = await this.requestRegister(
        this.token ? { status: 'login', token: this.token, ...resume } : { status: 'register', ...resume },
        true,
      );
      if (reply.status !== 'ok') {
        if (FINAL_LOGIN_CODES.has(reply.code)) {
          // The token was revoked (a password change or reset, an exit elsewhere), or the name now
          // needs a password: retrying the same login can never succeed.
          if (this.token !== null && reply.code === 'auth_failed') this.options.tokens?.forget(this.name);
          this.token = null;
          this.stopReason = `cannot log back in as ${this.name}: ${reply.text ?? reply.code}`;
        } else if (reply.text !== this.lastFailure) {
          // Most likely name_taken: the server has not noticed the old connection drop yet. Try again shortly.
          this.emit('output', { type: 'status', text: `${reply.text ?? reply.code}; retrying` });
          this.lastFailure = reply.text ?? reply.code;
        }
        this.link?.close();
        return;
      }
      await this.catchUp();
      // What was typed meanwhile (or lost its reply with the connection) goes now, after what was missed.
      this.outbox.resume(this.link!);
      this.retries = 0;
      this.lastFailure = '';
      this.emit('output', { type: 'status', text: `reconnected as ${this.name}` });
    } catch {
      // The new connection dropped too; its close handler schedules the next attempt.
    }
  }

  /** Fetches, per conversation, everything after the last seq shown, and shows what is new. */
  private async catchUp(): Promise<void> {
    const missed = await fetchMissed(this.link!, [...this.conversations.values()], this.shown);
    if (missed.length === 0) return;
    this.emit('output', {
      type: 'header',
      text: `${missed.length} message${missed.length === 1 ? '' : 's'} arrived while you were disconnected`,
    });
    for (const message of missed) {
      this.remember(message);
      this.emit('output', { type: 'message', message, phase: 'missed' });
    }
  }

  /**
   * Asks for a page of a listing (issue #11.6): the first, or with `more` the one after the page shown
   * last, and remembers where the next one starts. Null when there is nothing more or the request failed.
   */
  private async listing(key: string, more: boolean | undefined, request: ServerObject): Promise<ServerObject | null> {
    const after = more ? this.nextPage.get(key) : undefined;
    if (more && after === undefined) {
      this.info('that was the last page');
      return null;
    }
    const reply = await this.request(after !== undefined ? { ...request, after } : request);
    if (!reply) return null;
    if (typeof reply.next === 'string') this.nextPage.set(key, reply.next);
    else this.nextPage.delete(key);
    return reply;
  }

  /** The hint that ends a listing page with more after it. */
  private moreHint(reply: ServerObject, command: string): string {
    return typeof reply.next === 'string' ? ` … (more: ${command})` : '';
  }

  /** Shows a reply that carries data: as data with --json, as `text` to a person. */
  private data(command: string, reply: ServerObject, text: string): void {
    this.emit('output', { type: 'data', command, reply, shown: [{ type: 'info', text }] });
  }

  private info(text: string): void {
    this.emit('output', { type: 'info', text });
  }

  private error(text: string): void {
    this.emit('output', { type: 'error', text });
  }
}

/** `3 messages`, `1 message`. */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
