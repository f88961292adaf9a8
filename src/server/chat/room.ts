/** A room and its members, kept in memory (loaded at start-up) so a room message needs no read. */
import type { Session } from './session.js';

export interface Member {
  userId: number;
  name: string;
  key: string;
}

/** A conversation as the domain sees it: an id and the last sequence number handed out. */
export interface Conversation {
  readonly id: number;
  readonly key: string;
  lastSeq: number;
}

export class Room implements Conversation {
  /** All members, online or not, in the order they joined. */
  readonly members = new Map<number, Member>();
  /** The members who are online: the recipients of a live room message. */
  readonly online = new Set<Session>();

  constructor(
    readonly id: number,
    readonly name: string,
    readonly key: string,
    public lastSeq: number,
    /**
     * The member who may kick from the room and delete it: its creator, then the longest-standing
     * member when the owner leaves or is kicked (issue #11.13). A member, or null.
     */
    public ownerId: number | null = null,
  ) {}

  has(userId: number): boolean {
    return this.members.has(userId);
  }
}

/** All rooms by name key. */
export class Rooms {
  private readonly byKey = new Map<string, Room>();

  get(key: string): Room | undefined {
    return this.byKey.get(key);
  }

  add(room: Room): void {
    this.byKey.set(room.key, room);
  }

  delete(room: Room): void {
    this.byKey.delete(room.key);
  }

  all(): IterableIterator<Room> {
    return this.byKey.values();
  }

  /** Adds a member and, if online, links the session both ways. */
  join(room: Room, member: Member, session: Session | undefined): void {
    room.members.set(member.userId, member);
    if (session) {
      room.online.add(session);
      session.joined(room);
    }
  }

  /** Removes a member and unlinks their session. */
  part(room: Room, userId: number, session: Session | undefined): void {
    room.members.delete(userId);
    if (session) {
      room.online.delete(session);
      session.parted(room);
    }
  }
}
