/** What an upload or a download needs from the session, kept small so tests can supply their own. */
import type { ReplyOf } from '../../protocol/messages.js';
import type { RequestStatus } from '../../protocol/requests.js';
import type { Link, Outgoing } from '../link.js';

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
export type Settled<S extends RequestStatus> = { reply: ReplyOf<S> } | { lost: true };

/** A request whose promise never rejects, so replies left unread after a failure raise no unhandled rejection. */
export function settle<S extends RequestStatus>(link: TransferLink, body: Outgoing<S>): Promise<Settled<S>> {
  return link.request(body).then(
    (reply) => ({ reply }),
    () => ({ lost: true as const }),
  );
}

/** Waits `ms`; for `rate_limited` replies, which say how long. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(ms, 60_000))));
}
