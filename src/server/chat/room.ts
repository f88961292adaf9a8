/** A room and its members, kept in memory (loaded at start-up) so a room message needs no read. */
import type { Session } from './session.js';
import { SortedList, type Page } from './sorted-list.js';

export interface Member {
  userId: number;
  name: string;
  key: string;
}

/** A conversation as the domain sees it: its id and key (its seqs are the store's to hand out: #15). */
export interface Conversation {
  readonly id: number;
  readonly key: string;
}

export class Room implements Conversation {
  /** All members, online or not, in the order they joined. Change it only through addMember and removeMember. */
  readonly members = new Map<number, Member>();
  /** The same members sorted by name key, so `members` is read a page at a time (issue #11.6). */
  readonly membersByKey = new SortedList<Member>((m) => m.key);
  /** The members who are online: the recipients of a live room message. */
  readonly online = new Set<Session>();
  /**
   * Counts the changes made to this room in memory through Rooms (#15): a read of the store is applied
   * only if none happened while it ran (Chat.refreshRoom), else it could undo one.
   */
  changes = 0;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly key: string,
    /**
     * The member who may kick from the room and delete it: its creator, then the longest-standing
     * member when the owner leaves or is kicked (issue #11.13). A member, or null.
     */
    public ownerId: number | null = null,
  ) {}

  has(userId: number): boolean {
    return this.members.has(userId);
  }

  addMember(member: Member): void {
    this.members.set(member.userId, member);
    this.membersByKey.insert(member);
  }

  removeMember(userId: number): void {
    const member = this.members.get(userId);
    if (!member) return;
    this.members.delete(userId);
    this.membersByKey.remove(member.key);
  }
}

/**
 * All rooms by name key, also sorted by key (listed a page at a time) and by member (a login finds
 * its user's rooms without looking at every room): issue #11.6.
 */
export class Rooms {
  private readonly byKey = new Map<string, Room>();
  /** By conversation id: a message from another node names its room by id (#15). */
  private readonly byConv = new Map<number, Room>();
  private readonly sorted = new SortedList<Room>((room) => room.key);
  private readonly byMember = new Map<number, Set<Room>>();
  /** Counts every change to the rooms in memory (#15: see Room.changes; Chat.reloadRooms). */
  changes = 0;

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): Room | undefined {
    return this.byKey.get(key);
  }

  /** The room whose conversation id is `convId`. */
  byId(convId: number): Room | undefined {
    return this.byConv.get(convId);
  }

  /** Adds a room with the members it already has. */
  add(room: Room): void {
    this.changed(room);
    this.byKey.set(room.key, room);
    this.byConv.set(room.id, room);
    this.sorted.insert(room);
    for (const userId of room.members.keys()) this.index(userId, room);
  }

  delete(room: Room): void {
    this.changed(room);
    this.byKey.delete(room.key);
    if (this.byConv.get(room.id) === room) this.byConv.delete(room.id);
    this.sorted.remove(room.key);
    for (const userId of room.members.keys()) this.unindex(userId, room);
  }

  all(): IterableIterator<Room> {
    return this.byKey.values();
  }

  /** Up to `limit` rooms after the name key `after`, by key. */
  page(after: string | undefined, limit: number): Page<Room> {
    return this.sorted.page(after, limit);
  }

  /** The rooms `userId` is a member of. */
  of(userId: number): ReadonlySet<Room> {
    return this.byMember.get(userId) ?? NO_ROOMS;
  }

  /** Adds a member and, if online, links the session both ways. */
  join(room: Room, member: Member, session: Session | undefined): void {
    this.changed(room);
    room.addMember(member);
    if (this.byKey.get(room.key) === room) this.index(member.userId, room);
    if (session) {
      room.online.add(session);
      session.joined(room);
    }
  }

  /** Removes a member and unlinks their session. */
  part(room: Room, userId: number, session: Session | undefined): void {
    this.changed(room);
    room.removeMember(userId);
    this.unindex(userId, room);
    if (session) {
      room.online.delete(session);
      session.parted(room);
    }
  }

  private changed(room: Room): void {
    room.changes++;
    this.changes++;
  }

  private index(userId: number, room: Room): void {
    let rooms = this.byMember.get(userId);
    if (!rooms) this.byMember.set(userId, (rooms = new Set()));
    rooms.add(room);
  }

  private unindex(userId: number, room: Room): void {
    const rooms = this.byMember.get(userId);
    if (!rooms) return;
    rooms.delete(room);
    if (rooms.size === 0) this.byMember.delete(userId);
  }
}

const NO_ROOMS: ReadonlySet<Room> = new Set<Room>();
