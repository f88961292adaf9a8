/**
 * A registered user on one connection. The domain talks to the connection only through `Outbox`,
 * so it does no I/O itself (design §4.2).
 */
import type { Room } from './room.js';

/** Where a session's output goes: bytes are queued and released after the tick's commit. */
export interface Outbox {
  send(bytes: Buffer): void;
}

export class Session {
  /** Rooms this user is a member of (kept in step with Room.online). */
  readonly rooms = new Set<Room>();
  /** Users with whom this user has a private conversation; told of connects and disconnects. */
  partners: Set<number> | null = null;
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

  /** Ends the login phase: held events follow what was sent with sendNow. */
  ready(): void {
    const held = this.held;
    this.held = null;
    if (held !== null) for (const bytes of held) this.out.send(bytes);
  }
}
