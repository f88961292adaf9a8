/**
 * A registered user on one connection. The domain talks to the connection only through `Outbox`,
 * so it does no I/O itself (design §4.2).
 */
import type { ErrorCode } from '../../protocol/errors.js';
import type { Role } from '../store/store.js';
import type { Room } from './room.js';

/** Where a session's output goes: bytes are queued and released after the tick's commit. */
export interface Outbox {
  send(bytes: Buffer): void;
  /** Tells the client why with an error `code`, takes the session offline and closes the connection. */
  closeWith(code: ErrorCode, text: string): void;
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
  private held: Buffer[] | null = [];

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

  /** Queues a live event for this user. */
  deliver(bytes: Buffer): void {
    if (this.held !== null) this.held.push(bytes);
    else this.out.send(bytes);
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
    if (held !== null) for (const bytes of held) this.out.send(bytes);
  }
}
