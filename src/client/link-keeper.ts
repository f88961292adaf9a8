/**
 * The session's link across reconnects (issue #3): the link in use, whether it is logged in, and who
 * waits for a logged-in link (file transfers). When the session decides to reconnect, it retries with
 * capped, jittered backoff, logs back in and catches up (through its hooks), and says once per reason
 * why an attempt failed. It also holds what makes reconnecting wrong: the session is ending, or the
 * server closed the connection for good (stopReason).
 */
import type { WireObject } from '../protocol/messages.js';
import { ConnectError } from './dial.js';
import { TransferError } from './files/context.js';
import type { Link } from './link.js';
import type { OutputSink } from './output.js';

/** How a login after a reconnect went: logged in; refused for good (why); or refused for now (the server's words). */
export type Relogin = { ok: true } | { final: string } | { retry: string };

/** What the keeper needs of the session. */
export interface KeeperHooks {
  /** Opens a connection to the server; rejects with ConnectError when it cannot. */
  connect(): Promise<Link>;
  /** A line the server pushed on the current link. */
  message(message: WireObject): void;
  /** The current link closed (the keeper has forgotten it): the session ends, or calls scheduleReconnect. */
  closed(): void;
  /** Logs the name back in on the new link. */
  logBackIn(): Promise<Relogin>;
  /** Logged back in on `link`: show what was missed and send what waits. */
  resumed(link: Link): Promise<void>;
  /** The name logged back in, for the line that says so. */
  name(): string;
  readonly out: OutputSink;
}

/** The reconnect delays. */
export interface Backoff {
  /** First delay before a reconnect attempt, in ms; it doubles with each failed attempt. */
  firstMs: number;
  /** The longest delay, in ms. */
  capMs: number;
}

/** Holds the session's link, and gets a new one when it drops (when the session asks). */
export class LinkKeeper {
  private current: Link | null = null;
  /** Whether the current link has a logged-in name (transfers wait for that after a reconnect). */
  private loggedIn = false;
  private readyWaiters: { resolve: (link: Link) => void; reject: (err: Error) => void }[] = [];
  private ending = false;
  private stoppedFor: string | null = null;
  /** The next reconnect attempt, while one is scheduled. */
  private reconnectTimer: NodeJS.Timeout | null = null;
  private retries = 0;
  /** Why the last reconnect attempt failed, said once until the reason changes. */
  private lastFailure = '';

  constructor(
    private readonly hooks: KeeperHooks,
    private readonly backoff: Backoff,
  ) {}

  /** The link in use; null between a drop and the next connection. */
  get link(): Link | null {
    return this.current;
  }

  /** The session is ending (/exit, end of input, Ctrl-C): nothing reconnects or logs back in. */
  get exiting(): boolean {
    return this.ending;
  }

  /**
   * Set when reconnecting would be wrong: the server closed this connection because the account
   * logged in elsewhere (reconnecting would close that one, and so on back and forth) or an
   * administrator removed the user or logged them out (`logged_out`, issue #11.3: a reconnect with a
   * revoked token would fail, and a `register` could claim a released name afresh); or a reconnect's
   * login was refused for good (the session's token was revoked). The client then ends instead of
   * retrying forever.
   */
  get stopReason(): string | null {
    return this.stoppedFor;
  }

  /** Makes reconnecting wrong from now on, for `reason` (see stopReason). */
  stop(reason: string): void {
    this.stoppedFor = reason;
  }

  /** Connects; rejects with ConnectError when the server cannot be reached. */
  async connect(): Promise<void> {
    this.attach(await this.hooks.connect());
  }

  /** `link` is logged in: whoever waits for a logged-in link gets it. */
  loggedInOn(link: Link): void {
    this.loggedIn = true;
    for (const waiter of this.readyWaiters.splice(0)) waiter.resolve(link);
  }

  /**
   * The logged-in link for file transfers: at once when there is one, else after the reconnect and
   * login; rejects with TransferError('cancelled') once the session ends.
   */
  ready(): Promise<Link> {
    if (this.ending || this.stoppedFor !== null)
      return Promise.reject(new TransferError('cancelled', 'the session ended'));
    if (this.current && this.loggedIn && !this.current.closed) return Promise.resolve(this.current);
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** The session is ending: no further reconnect attempt (it would keep the process alive, or log back in). */
  end(): void {
    this.ending = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  /** The session is ending: transfers waiting for a link stop (a later /send or /get resumes them). */
  cancelWaiting(): void {
    const cancelled = new TransferError(
      'cancelled',
      'the session ended (a later /send or /get continues where it stopped)',
    );
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(cancelled);
  }

  /** Tries to reconnect after a delay that grows with each failed attempt, up to the cap. */
  scheduleReconnect(): void {
    const base = Math.min(this.backoff.capMs, this.backoff.firstMs * 2 ** this.retries++);
    const delay = base * (0.5 + Math.random()); // jitter: a class reconnecting after a restart spreads out
    this.reconnectTimer = setTimeout(() => void this.reconnect(), delay);
  }

  private attach(link: Link): void {
    this.current = link;
    link.on('message', (message) => this.hooks.message(message));
    link.on('close', () => {
      this.current = null;
      this.loggedIn = false;
      this.hooks.closed();
    });
  }

  private async reconnect(): Promise<void> {
    this.reconnectTimer = null;
    if (this.ending) return;
    let link: Link;
    try {
      link = await this.hooks.connect();
    } catch (err) {
      if (!(err instanceof ConnectError)) throw err;
      if (this.ending) return;
      // Worth telling: a TLS certificate that no longer verifies would otherwise look like a slow server.
      this.retrying(err.message);
      this.scheduleReconnect();
      return;
    }
    // The session ended (/exit, Ctrl-C) while this dial was under way: it must not log back in.
    if (this.ending) return link.close();
    this.attach(link);
    try {
      const relogin = await this.hooks.logBackIn();
      if (!('ok' in relogin)) {
        if ('final' in relogin) this.stoppedFor = relogin.final;
        // Most likely name_taken: the server has not noticed the old connection drop yet. Try again shortly.
        else this.retrying(relogin.retry);
        this.current?.close();
        return;
      }
      // What was typed meanwhile (or lost its reply with the connection) goes now, after what was missed.
      await this.hooks.resumed(link);
      this.retries = 0;
      this.lastFailure = '';
      this.hooks.out.status(`reconnected as ${this.hooks.name()}`);
    } catch {
      // The new connection dropped too; its close handler schedules the next attempt.
    }
  }

  /** Says why an attempt failed, once until the reason changes. */
  private retrying(reason: string): void {
    if (reason !== this.lastFailure) this.hooks.out.status(`${reason}; retrying`);
    this.lastFailure = reason;
  }
}
