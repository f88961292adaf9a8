/**
 * Who is online on the other nodes (#15): what this node was told over the bus, by name key and user id,
 * and sorted by key so that `who` pages over every node's users at once. Each entry names the node and
 * that node's session number, so a late "offline" of a session the user has since replaced removes nothing.
 * Filled and emptied by src/server/cluster/presence.ts; always empty on a server alone.
 */
import { SortedList, type Page } from './sorted-list.js';

export interface RemoteUser {
  readonly userId: number;
  readonly name: string;
  readonly key: string;
  /** The node holding the session. */
  readonly node: string;
  /** That node's number for the session (a replaced session has another). */
  readonly session: number;
}

export class OnlineElsewhere {
  private readonly byKey = new Map<string, RemoteUser>();
  private readonly byId = new Map<number, RemoteUser>();
  private readonly sorted = new SortedList<RemoteUser>((u) => u.key);
  /** Entries per node: compared with the count each node announces (a lost note shows as a difference). */
  private readonly perNode = new Map<string, number>();

  get size(): number {
    return this.byKey.size;
  }

  byName(key: string): RemoteUser | undefined {
    return this.byKey.get(key);
  }

  byUser(userId: number): RemoteUser | undefined {
    return this.byId.get(userId);
  }

  /** Adds `user`, or replaces the entry of the same name (the user moved, or logged in again). */
  set(user: RemoteUser): void {
    const before = this.byKey.get(user.key);
    if (before) this.forget(before);
    this.perNode.set(user.node, this.countOf(user.node) + 1);
    this.byKey.set(user.key, user);
    this.byId.set(user.userId, user);
    this.sorted.insert(user);
  }

  /** Removes the entry of `key` if it is still that node's session; returns it when removed. */
  remove(key: string, node: string, session?: number): RemoteUser | undefined {
    const entry = this.byKey.get(key);
    if (!entry || entry.node !== node || (session !== undefined && entry.session !== session)) return undefined;
    this.forget(entry);
    return entry;
  }

  /** Removes the entry of `key`, whichever node it names (the user is online on this node now). */
  drop(key: string): void {
    const entry = this.byKey.get(key);
    if (entry) this.forget(entry);
  }

  /** How many entries name `node`. */
  countOf(node: string): number {
    return this.perNode.get(node) ?? 0;
  }

  /** The entries of one node. */
  ofNode(node: string): RemoteUser[] {
    return [...this.byKey.values()].filter((u) => u.node === node);
  }

  /** Up to `limit` users after the name key `after`, by key. */
  page(after: string | undefined, limit: number): Page<RemoteUser> {
    return this.sorted.page(after, limit);
  }

  private forget(entry: RemoteUser): void {
    this.byKey.delete(entry.key);
    this.sorted.remove(entry.key);
    if (this.byId.get(entry.userId) === entry) this.byId.delete(entry.userId);
    const left = this.countOf(entry.node) - 1;
    if (left > 0) this.perNode.set(entry.node, left);
    else this.perNode.delete(entry.node);
  }
}
