/**
 * A registered user on one connection. The domain talks to the connection only through `Outbox`, so
 * it never writes to a socket itself (design §4.2): the connection writes once the tick is committed.
 */
import type { ErrorCode } from '../../protocol/errors.js';
import type { Role } from '../store/store.js';
import { CatchUp } from './reader-catch-up.js';
import type { Room } from './room.js';

/** Where a session's output goes: bytes are queued and released after the tick's commit. */
export interface Outbox {
  send(bytes: Buffer): void;
  /** Tells the client why with an error `code`, takes the session offline and closes the connection. */
  closeWith(code: ErrorCode, text: string): void;
  /** True when `bytes` more of chat keep the unsent output within the behind mark (issue #11.11). */
  hasRoomForChat(bytes: number): boolean;
  /** The session just fell behind (session.catchUp is set): catch it up from the store as the socket drains. */
  fellBehind(): void;
}

/** A live event waiting for login to finish; `msgid` is set for a stored chat message. */
interface Held {
  bytes: Buffer;
  msgid: number;
}

/** Idle connections are the common case: they share one empty set instead of holding their own. */
const NO_ROOMS: ReadonlySet<Room> = new Set<Room>();

export class Session {
  /** Rooms this user is a member of (kept in step with Room.online). Shared and empty until the first. */
  rooms: ReadonlySet<Room> = NO_ROOMS;
  /** Users with whom this user has a private conversation; told of connects and disconnects. */
  partners: Set<number> | null = null;
  role: Role = 'user';
  /** Until when (ms since the epoch) the user may not send messages; 0 when not muted. */
  mutedUntil = 0;
  /** The id of the session token this session logged in with or was given; revoked at exit. */
  tokenId: number | null = null;
  /**
   * Until login has sent its reply and the waiting messages, live events are held here so that the
   * client sees them after those, never before (issue #2: delivered in order).
   */
  private held: Held[] | null = [];
  /**
   * Set while the user is behind (issue #11.11): chat messages are not queued live but read back from
   * the store as the socket drains (reader-catch-up.ts). Null, the common case, when live.
   */
  catchUp: CatchUp | null = null;

  constructor(
    readonly userId: number,
    readonly name: string,
    readonly key: string,
    private readonly out: Outbox,
  ) {}

  joined(room: Room): void {
    if (this.rooms === NO_ROOMS) this.rooms = new Set<Room>();
    (this.rooms as Set<Room>).add(room);
  }

  parted(room: Room): void {
    (this.rooms as Set<Room>).delete(room);
  }

  /** Forgets every room (the session is going offline). */
  clearRooms(): void {
    this.rooms = NO_ROOMS;
  }

  /** True once login has completed. */
  get isReady(): boolean {
    return this.held === null;
  }

  /**
   * Queues a live event for this user. A stored chat message passes its `msgid`: it is not queued while
   * the user is behind, nor when it would take the unsent output past the behind mark; then the user
   * gets it from the store, in order, as their socket drains (issue #11.11). Events without an id
   * (presence, mute, pings) are small and always queued; the connection's output bound covers them.
   */
  deliver(bytes: Buffer, msgid = 0): void {
    if (this.held !== null) {
      this.held.push({ bytes, msgid });
    } else if (msgid === 0) {
      this.out.send(bytes);
    } else if (this.catchUp === null) {
      if (this.out.hasRoomForChat(bytes.length)) {
        this.out.send(bytes);
      } else {
        this.catchUp = new CatchUp(msgid);
        this.out.fellBehind();
      }
    }
  }

  /**
   * The id below which every message for this user was queued to the connection: where its delivery
   * cursors may move at disconnect. `watermark` is the next message id.
   */
  deliveredBelow(watermark: number): number {
    return this.catchUp === null ? watermark : this.catchUp.from;
  }
  /**
   * Ends catching up (the session is going offline): a page being read is not queued after the
   * closing line, and the no-progress watch does not outlive the connection.
   */
  stopCatchUp(): void {
    if (this.catchUp?.watch) clearTimeout(this.catchUp.watch);
    this.catchUp = null;
  }

  /** Queues a reply or login output, ahead of anything held. */
  sendNow(bytes: Buffer): void {
    this.out.send(bytes);
  }

  /** Closes this user's connection, telling them why (kick, a login from elsewhere). */
  close(code: ErrorCode, text: string): void {
    this.out.closeWith(code, text);
  }

  /** Ends the login phase: held events follow what was sent with sendNow. */
  ready(): void {
    const held = this.held;
    this.held = null;
    if (held !== null) for (const event of held) this.deliver(event.bytes, event.msgid);
  }
}
