/**
 * Paces a connection whose session fell behind (issue #11.11): its chat comes from the store a page at
 * a time as its transport drains, and a reader that takes no bytes for noProgressMs while output waits
 * is cut off. A reader is judged by whether it drains, not by one burst.
 */
import type { Logger } from 'pino';
import type { Chat } from './chat/chat.js';
import { queueCatchUpPage, type CatchUp } from './chat/reader-catch-up.js';
import type { Session } from './chat/session.js';
import type { Limits } from './limits.js';

/** A connection as its pacing sees it. */
export interface PacedConnection {
  readonly id: number;
  readonly session: Session | null;
  /** Closed or closing: nothing more is queued. */
  readonly stopped: boolean;
  /** Output queued or buffered, not yet taken by the network. */
  readonly unsentBytes: number;
  /** Bytes the network has taken so far (Wire.sentBytes). */
  readonly sentBytes: number;
  /** Closes a reader that does not keep up, telling it `text`. */
  cutOff(reason: string, text: string): void;
  /** Closes at once, dropping unsent output. */
  abort(reason: string): void;
}

/** What pacing reads from the server. */
export interface PaceHost {
  readonly chat: Chat;
  readonly log: Logger;
  readonly limits: Limits;
}

/** Starts pacing `conn`, whose session just fell behind (session.catchUp is set). */
export function startPacing(conn: PacedConnection, host: PaceHost): void {
  const state = conn.session!.catchUp!;
  host.log.debug(
    { conn: conn.id, user: conn.session!.name, from: state.from, unsent: conn.unsentBytes },
    'behind: chat is read from the store as the socket drains',
  );
  state.progressMark = conn.sentBytes;
  watchProgress(conn, host, state);
  continueCatchUp(conn, host);
}

/** Stops the no-progress watch (the connection is closing). */
export function stopPacing(conn: PacedConnection): void {
  const state = conn.session?.catchUp;
  if (state?.watch) clearTimeout(state.watch);
}

function watchProgress(conn: PacedConnection, host: PaceHost, state: CatchUp): void {
  state.watch = setTimeout(() => checkProgress(conn, host, state), host.limits.noProgressMs).unref();
}

function checkProgress(conn: PacedConnection, host: PaceHost, state: CatchUp): void {
  state.watch = null;
  if (conn.stopped || conn.session?.catchUp !== state) return;
  const sent = conn.sentBytes;
  // Stalled: output waits and the transport took none of it since the last check.
  if (sent === state.progressMark && conn.unsentBytes > 0) {
    const seconds = host.limits.noProgressMs / 1000;
    conn.cutOff(
      `behind and no bytes read for ${seconds} s`,
      `you read nothing for ${seconds} s while messages waited; closing the connection (they wait for your next login)`,
    );
    return;
  }
  state.progressMark = sent;
  watchProgress(conn, host, state);
  // A backstop: behind with nothing left to write means catch-up should be reading; if some path
  // left it idle, this restarts it within noProgressMs instead of at the client's next request.
  if (conn.unsentBytes === 0) continueCatchUp(conn, host);
}

/**
 * Queues the next page of what a behind session missed once its output has drained below half the
 * behind mark; called again after each write and on drain (through the connection's pump), one page
 * at a time.
 */
export function continueCatchUp(conn: PacedConnection, host: PaceHost): void {
  const session = conn.session;
  const state = session?.catchUp;
  if (!session || !state || state.reading || conn.stopped) return;
  if (conn.unsentBytes > host.limits.behindBytes / 2) return;
  state.reading = true;
  queueCatchUpPage(host.chat, session, host.limits).then(
    (queued) => {
      state.reading = false;
      if (session.catchUp !== state) {
        if (state.watch) clearTimeout(state.watch); // live again
      } else if (queued === 0 || conn.unsentBytes <= host.limits.behindBytes / 2) {
        // Nothing for this user in that span of ids, or a page too small to congest the socket (a few
        // join/leave events): its write need not end in a drain, and a pump that ran while this read
        // was in flight returned at once, so nothing else would call us: go on next turn.
        setImmediate(() => continueCatchUp(conn, host));
      }
    },
    (err: unknown) => {
      state.reading = false;
      host.log.error({ conn: conn.id, user: session.name, err }, 'reading messages to catch up failed');
      conn.abort('catch-up read failed');
    },
  );
}
