/**
 * The link a command goes out on, and the requests and listing pages sent on it (issues #11.6, #12.2,
 * #12.3). A command waits for the messages typed before it (a script's /leave comes after its last line
 * to the room) and for the login and catch-up after a reconnect, which is when the outbox sends again:
 * a command sent during a reconnect's login would be refused, or overtake the queued messages.
 */
import type { OkReplyOf } from '../protocol/messages.js';
import type { RequestOf, RequestStatus } from '../protocol/requests.js';
import type { Link } from './link.js';
import type { LinkKeeper } from './link-keeper.js';
import type { OutputSink } from './output.js';
import { LONG_WAIT_MS, pacedRequest, type Outbox } from './outbox.js';

/** The requests that answer a page at a time, with `next` when more follow. */
export type ListingStatus = 'who' | 'rooms' | 'members' | 'users';

/** Gates commands on the outbox and the login; sends them; pages listings. */
export class CommandLink {
  /** Where the next page of a listing starts (`who`, `rooms`, `members:<room>`), from the last reply's `next`. */
  private readonly nextPage = new Map<string, string>();

  constructor(
    private readonly outbox: Outbox,
    private readonly keeper: LinkKeeper,
    /** Whether a person types (told at once while there is no connection) or a script (it waits). */
    private readonly interactive: boolean,
    private readonly out: OutputSink,
  ) {}

  /**
   * The link to send a command on, once the messages typed before it are sent and the session is
   * logged in and caught up. While a reconnect's login is under way, or always in a script, it waits
   * for that; a person typing while there is no connection is told so. Null (after saying why) when
   * there is no link to use.
   */
  async link(): Promise<Link | null> {
    for (;;) {
      await this.outbox.sentOrPaused();
      const link = this.keeper.link;
      if (this.outbox.online && link) return link;
      if (this.keeper.exiting || this.keeper.stopReason !== null) break;
      const loggingIn = link !== null && !link.closed;
      if (!loggingIn && this.interactive) break;
      await this.outbox.changed();
    }
    this.out.error(this.keeper.exiting ? 'disconnected' : 'not connected; reconnecting');
    return null;
  }

  /** Sends a request; shows an error and resolves null when it is refused. */
  async request<S extends RequestStatus>(body: RequestOf<S>): Promise<OkReplyOf<S> | null> {
    const link = await this.link();
    if (!link) return null;
    // Flood refusals are waited out (issue #12.2); a long wait (a stored-bytes budget) is the answer instead.
    const reply = await pacedRequest(link, body, LONG_WAIT_MS);
    if (reply.status === 'ok') return reply;
    this.out.error(reply.text ?? reply.code);
    return null;
  }

  /**
   * Asks for a page of a listing (issue #11.6): the first, or with `more` the one after the page shown
   * last, and remembers where the next one starts. Null when there is nothing more or the request failed.
   */
  async listing<S extends ListingStatus>(
    key: string,
    more: boolean | undefined,
    request: RequestOf<S>,
  ): Promise<OkReplyOf<S> | null> {
    const after = more ? this.nextPage.get(key) : undefined;
    if (more && after === undefined) {
      this.out.info('that was the last page');
      return null;
    }
    // Object.assign, not a spread: TypeScript types a spread of a generic request as another type.
    const reply = await this.request(after !== undefined ? Object.assign({}, request, { after }) : request);
    if (!reply) return null;
    if (typeof reply.next === 'string') this.nextPage.set(key, reply.next);
    else this.nextPage.delete(key);
    return reply;
  }
}
