/**
 * The terminal client's session: registers (asking again when a name is taken), runs what the user
 * types, keeps track of conversations, and survives a dropped connection: it retries with capped,
 * jittered backoff, registers the same name again, and shows what it missed, with no gap (history
 * after the last seq it saw in each conversation) and no duplicate (message ids it has shown).
 *
 * This file builds the parts, hands each typed line to the one that runs it, and decides how the
 * session ends. The parts: the link across reconnects (link-keeper.ts), logging in (login.ts), what
 * the server pushes (incoming.ts), what was missed (catch-up.ts), what is known of conversations
 * (known.ts), the link commands wait for (command-link.ts), messages typed (sending.ts, outbox.ts), the
 * commands (conversation-, listing-, moderation- and account-commands.ts), file transfers (files/), and
 * what is shown (output.ts).
 */
import { EventEmitter } from 'node:events';
import { nameKey } from '../protocol/names.js';
import { runAccountCommand } from './account-commands.js';
import { Activity } from './activity.js';
import { catchUp } from './catch-up.js';
import type { CommandHost } from './command-host.js';
import { CommandLink } from './command-link.js';
import { runConversationCommand } from './conversation-commands.js';
import { Transfers } from './files/transfers.js';
import { helpText } from './help.js';
import { Incoming } from './incoming.js';
import { Known } from './known.js';
import type { Link } from './link.js';
import { LinkKeeper } from './link-keeper.js';
import { runListing } from './listing-commands.js';
import { Login, type NameTokens, type Registration } from './login.js';
import { runModeration } from './moderation-commands.js';
import { Outbox } from './outbox.js';
import { OutputSink, plural, type Output } from './output.js';
import { EVERYONE_TARGET, parseLine, type Action, type Target } from './parse.js';
import { PresenceBursts } from './presence-bursts.js';
import { Sender } from './sending.js';
import type { SignInPrompts } from './sign-in.js';

/** What a session shows (output.ts), and how it logs in (login.ts): exported here for its users. */
export type { Output, Phase } from './output.js';
export type { NameTokens, Registration } from './login.js';

/** What a session tells its screen. */
export interface SessionEvents {
  output: [Output];
  /** The current conversation changed: redraw the prompt. */
  target: [Target];
  /** The session is over (exit, or the server went away for good). */
  end: [number];
}

/** How a session connects, keeps tokens and is answered. */
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

/** One user's chat session with one server, across reconnects. */
export class Session extends EventEmitter<SessionEvents> {
  /** The conversation the prompt names: where a line without a command goes. */
  current: Target = EVERYONE_TARGET;
  /** Unread messages per conversation and mentions (issue #12.6), kept from this session's own outputs. */
  readonly activity = new Activity(() => this.name);
  private readonly out = new OutputSink((output) => this.emit('output', output));
  private readonly known = new Known(() => this.name);
  /** Contacts' online/offline events, a burst of them shown as one line (issue #12.7). */
  private readonly presence = new PresenceBursts((event) => this.out.emit({ type: 'event', message: event }));
  /** Chat messages on their way: in order, paced by the server's flood limit, kept across reconnects (issue #12.2, #12.3). */
  private readonly outbox = new Outbox({
    longWait: (ms, queued) =>
      this.out.info(
        `the server asks to wait ${Math.ceil(ms / 1000)} s before more messages; ${queued} waiting to be sent`,
      ),
  });
  private readonly keeper: LinkKeeper;
  private readonly incoming: Incoming;
  private readonly login: Login;
  private readonly commands: CommandLink;
  private readonly sender: Sender;
  /** File uploads and downloads running in the background (issue #5). */
  private readonly transfers: Transfers;
  /** What the commands kept in their own files may use of this session. */
  private readonly host: CommandHost;
  /** Messages typed were never sent (the session ended while disconnected): the exit code says so. */
  private lostMessages = false;

  constructor(options: SessionOptions) {
    super();
    const { out, known, presence, outbox } = this;
    this.keeper = new LinkKeeper(
      {
        connect: () => options.connect(),
        message: (message) => this.incoming.onMessage(message),
        closed: () => this.onLinkClosed(),
        logBackIn: () => this.login.logBackIn(),
        resumed: async (link) => {
          await catchUp(link, known, out);
          outbox.resume(link);
        },
        name: () => this.name,
        out,
      },
      { firstMs: options.retryFirstMs ?? 500, capMs: options.retryCapMs ?? 15_000 },
    );
    const keeper = this.keeper;
    this.incoming = new Incoming({
      known,
      presence,
      out,
      link: () => keeper.link,
      stop: (reason) => keeper.stop(reason),
      roomGone: (name) => this.roomGone(name),
    });
    this.login = new Login({
      tokens: options.tokens,
      interactive: options.interactive === true,
      invite: options.invite,
      keeper,
      known,
      incoming: this.incoming,
      presence,
      out,
    });
    this.commands = new CommandLink(outbox, keeper, options.interactive === true, out);
    this.sender = new Sender({
      outbox,
      known,
      out,
      me: () => this.name,
      current: () => this.current,
      switchTo: (target, text) => this.switchTo(target, text),
    });
    this.transfers = new Transfers({
      ready: () => this.ready(),
      output: (output) => out.emit(output),
      showOwn: (message) => {
        known.remember(message);
        out.emit({ type: 'message', message, phase: 'own' });
      },
      me: () => this.name,
      isMyRoom: (name) => known.isMyRoom(name),
    });
    this.host = {
      me: () => this.name,
      link: () => (outbox.online ? keeper.link : null),
      commands: this.commands,
      prompts: () => this.login.prompts,
      known,
      activity: this.activity,
      out,
      current: () => this.current,
      switchTo: (target, text) => this.switchTo(target, text),
      roomGone: (name) => this.roomGone(name),
      replaceToken: (token) => this.login.replaceToken(token),
      hasPassword: () => this.login.hasPassword,
    };
    this.on('output', (output) => this.activity.note(output, this.current));
    this.on('target', (target) => this.activity.read(target));
  }

  /** The name logged in as; empty before the first login. */
  get name(): string {
    return this.login.name;
  }

  /** Connects; rejects with ConnectError when the server cannot be reached. */
  connect(): Promise<void> {
    return this.keeper.connect();
  }

  /**
   * Gets `name` (or one asked for) onto the server, answering its questions through `prompts`
   * (login.ts, sign-in.ts). Not registered when the user gives up, or when a script's refusal has no
   * answer: the reason, if any, is for stderr. Rejects if the connection closes first.
   */
  async register(name: string | null, prompts: SignInPrompts): Promise<Registration> {
    const registration = await this.login.register(name, prompts);
    if (registration.registered) this.outbox.resume(this.keeper.link!);
    return registration;
  }

  /**
   * Runs one typed line; resolves when its reply has been shown, or when a message is queued to wait for
   * the reconnect. A line with newlines is a paste (the interactive screen joins one, issue #12.2): text
   * for the current conversation, whatever its lines start with.
   */
  async handleLine(line: string): Promise<void> {
    if (line.includes('\n')) return this.sender.paste(line);
    const action = parseLine(line, {
      current: this.current,
      isMyRoom: (n) => this.known.isMyRoom(n),
      isKnownUser: (n) => this.known.isKnownUser(n),
    });
    try {
      await this.run(action);
    } catch (err) {
      this.out.error(this.keeper.exiting ? 'disconnected' : `not sent: ${(err as Error).message}`);
    }
  }

  /** Names for tab completion. */
  completions(): { users: string[]; rooms: string[] } {
    return this.known.completions();
  }

  /**
   * The logged-in link for file transfers: at once when there is one, else after the reconnect and
   * login; rejects with TransferError('cancelled') once the session ends.
   */
  ready(): Promise<Link> {
    return this.keeper.ready();
  }

  /** Ends the session as input ends: after the replies to what was sent and the transfers still running, leave cleanly. */
  async finish(): Promise<void> {
    if (this.transfers.active > 0 && !this.keeper.exiting)
      this.out.info('waiting for file transfers to finish (Ctrl-C stops them)');
    // A script's every line is delivered (issue #12.2, #12.3): across a reconnect if need be.
    if (this.outbox.size > 0 && !this.outbox.online && !this.keeper.exiting)
      this.out.info(`waiting to reconnect to send ${plural(this.outbox.size, 'message')} (Ctrl-C gives up)`);
    await this.outbox.empty();
    await this.transfers.settled();
    if (!this.keeper.exiting) await this.exit();
  }

  /** Ends the session now (Ctrl-C), stopping any transfer. */
  async interrupt(): Promise<void> {
    if (!this.keeper.exiting) await this.exit(false);
  }

  private async run(action: Action): Promise<void> {
    switch (action.kind) {
      case 'none':
        return;
      case 'usage':
        return this.out.error(action.text);
      case 'send':
        return this.sender.send(action.to, action.text, action.switchTo === true);
      case 'switch':
      case 'join':
      case 'create':
      case 'leave':
      case 'history':
      case 'next':
        return runConversationCommand(this.host, action);
      case 'who':
      case 'list':
      case 'rooms':
      case 'members':
      case 'files':
        return runListing(this.host, action);
      case 'send-file':
        this.transfers.send(action.receiver, action.path);
        return;
      case 'get':
        this.transfers.get(action.file, action.dir);
        return;
      case 'users':
      case 'kick':
      case 'mute':
      case 'delete':
        return runModeration(this.host, action);
      case 'password':
      case 'register':
        return runAccountCommand(this.host, action);
      case 'help':
        this.out.info(helpText());
        return;
      case 'exit':
        return this.exit();
    }
  }

  private switchTo(target: Target, text: string | null): void {
    this.current = target;
    if (text) this.out.info(text);
    this.emit('target', target);
  }

  /** A room deleted (by us or its owner or an admin): forgotten, and left if it is the current one. */
  private roomGone(name: string): void {
    this.known.dropRoom(name);
    // Its unread count goes too: /next must not switch into a room that is gone.
    this.activity.read({ kind: 'room', name });
    if (this.current.kind === 'room' && nameKey(this.current.name) === nameKey(name))
      this.switchTo(EVERYONE_TARGET, null);
  }

  /** The link closed: the session ends (exiting, never registered, or stopped for good) or reconnects. */
  private onLinkClosed(): void {
    this.presence.flush();
    this.outbox.pause();
    if (this.keeper.exiting || this.name === '') {
      // Before a name is registered there is nothing to resume: register() rejects and the caller says why.
      this.emit('end', this.keeper.exiting && !this.lostMessages ? 0 : 1);
      return;
    }
    if (this.keeper.stopReason !== null) {
      this.out.error(`${this.keeper.stopReason}; not reconnecting. Start classchat chat again to log in.`);
      this.reportUnsent();
      this.keeper.cancelWaiting();
      this.emit('end', 1);
      return;
    }
    this.out.status('connection to the server lost; reconnecting…');
    if (this.outbox.size > 0) this.out.info(`${plural(this.outbox.size, 'message')} will be sent when reconnected`);
    this.keeper.scheduleReconnect();
  }

  /** `waitForOutbox`: send what is queued first, while connected (an /exit typed after a paste). */
  private async exit(waitForOutbox = true): Promise<void> {
    if (waitForOutbox) await this.outbox.sentOrPaused();
    this.keeper.end();
    this.reportUnsent();
    this.keeper.cancelWaiting();
    const link = this.keeper.link;
    if (!link || link.closed) {
      // Between reconnect attempts there is no connection to close: end here.
      this.emit('end', this.lostMessages ? 1 : 0);
      return;
    }
    await link.request({ status: 'exit' }).catch(() => undefined);
    link.close();
  }

  /** The session ends: what the outbox still holds is given up, and the user told how much. */
  private reportUnsent(): void {
    const unsent = this.outbox.abandon();
    if (unsent === 0) return;
    this.out.error(`${plural(unsent, 'message')} not sent`);
    this.lostMessages = true;
  }
}
