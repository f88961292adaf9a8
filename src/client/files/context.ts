/** What an upload or a download needs from the session, kept small so tests can supply their own. */
import type { Link } from '../link.js';

/** The part of a connection a transfer uses. */
export type TransferLink = Pick<Link, 'request' | 'drained' | 'closed'>;

export interface TransferContext {
  /**
   * The logged-in connection; after a drop, resolves once the session has reconnected and logged in
   * again (transfers resume then). Rejects with TransferError('cancelled') once the session is over.
   */
  ready(): Promise<TransferLink>;
}

/** A transfer that cannot go on; `code` is the server's error code or one of the client's own. */
export class TransferError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a pipelined request came to: its reply, or the connection closing before it. */
export type Settled = { reply: Record<string, any> } | { lost: true };

/** A request whose promise never rejects, so replies left unread after a failure raise no unhandled rejection. */
export function settle(link: TransferLink, body: Record<string, unknown>): Promise<Settled> {
  return link.request(body).then(
    (reply) => ({ reply }),
    () => ({ lost: true as const }),
  );
}

/** Waits `ms`; for `rate_limited` replies, which say how long. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(ms, 60_000))));
}
