/**
 * Applies `classchat admin` changes to the running server (issue #11.3). The admin command runs in
 * its own process and writes the database directly; each change comes with a row in admin_events
 * (actions.ts). The server polls for rows after the last it applied, one indexed query every
 * ADMIN_POLL_MS, and closes the user's sessions or changes the live role.
 *
 * Polling, not a signal or a socket: it needs nothing but the database both already share, works
 * whoever runs the command, and costs one primary-key range read (usually empty) four times a second.
 */
import type { Chat } from '../chat/chat.js';
import { encodeSystemEvent } from '../chat/encode.js';
import type { AdminEvent } from '../store/store.js';

/** How often the server looks for admin changes: "within a second", with room for a busy loop. */
export const ADMIN_POLL_MS = 250;
/** Events applied per poll; more wait for the next one (a script granting a whole class is fine). */
const BATCH = 500;

export class AdminEventPoller {
  private readonly timer: NodeJS.Timeout;
  private polling = false;

  private constructor(
    private readonly chat: Chat,
    /** The id of the last event applied (or, at start, the last one before this server). */
    private lastId: number,
  ) {
    this.timer = setInterval(() => void this.poll(), ADMIN_POLL_MS).unref();
  }

  /** Starts polling for events recorded from now on (earlier ones were for sessions that are gone). */
  static async start(chat: Chat): Promise<AdminEventPoller> {
    return new AdminEventPoller(chat, await chat.store.lastAdminEventId());
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Applies every event recorded since the last poll; resolves to how many it applied. */
  async poll(): Promise<number> {
    if (this.polling) return 0;
    this.polling = true;
    try {
      const events = await this.chat.store.adminEventsAfter(this.lastId, BATCH);
      for (const event of events) {
        applyAdminEvent(this.chat, event);
        this.lastId = event.id;
      }
      return events.length;
    } catch (err) {
      this.chat.log.error({ err }, 'reading admin changes failed; trying again at the next poll');
      return 0;
    } finally {
      this.polling = false;
    }
  }
}

const LOGGED_OUT_TEXT: Record<Exclude<AdminEvent['kind'], 'role'>, string> = {
  reset_password: 'an administrator reset your password; log in with the new one',
  revoke_tokens: 'an administrator logged you out; log in again with your password',
  release_name: 'an administrator released your name; claim it again or ask your instructor',
};

/** Applies one admin change to the user's live session, if they have one. */
export function applyAdminEvent(chat: Chat, event: AdminEvent): void {
  const session = chat.presence.byUser(event.userId);
  if (!session) return;
  if (event.kind === 'role') {
    if (session.role === event.role) return;
    session.role = event.role;
    const text =
      event.role === 'admin' ? 'an administrator made you an admin' : 'an administrator made you a plain user again';
    session.deliver(
      encodeSystemEvent({
        status: 'system',
        event: 'role',
        sender: 'server',
        receiver: session.name,
        text,
        ts: chat.now(),
      }),
    );
    chat.log.warn({ user: session.name, role: event.role }, 'role changed by classchat admin');
    return;
  }
  const text = LOGGED_OUT_TEXT[event.kind];
  if (text === undefined) {
    chat.log.error({ event }, 'unknown admin event kind; ignored (a newer classchat admin?)');
    return;
  }
  chat.log.warn({ user: session.name, change: event.kind }, 'logged out by classchat admin');
  session.close('logged_out', text);
}
