/** Who is online: registered sessions by name key and by user id, and sorted by key (issue #11.6: `who` by pages). */
import type { Session } from './session.js';
import { SortedList, type Page } from './sorted-list.js';

export class Presence {
  private readonly byKey = new Map<string, Session>();
  private readonly byId = new Map<number, Session>();
  private readonly sorted = new SortedList<Session>((s) => s.key);

  get size(): number {
    return this.byKey.size;
  }

  byName(key: string): Session | undefined {
    return this.byKey.get(key);
  }

  byUser(userId: number): Session | undefined {
    return this.byId.get(userId);
  }

  add(session: Session): void {
    this.byKey.set(session.key, session);
    this.byId.set(session.userId, session);
    this.sorted.insert(session);
  }

  remove(session: Session): void {
    if (this.byKey.get(session.key) === session) {
      this.byKey.delete(session.key);
      this.sorted.remove(session.key);
    }
    if (this.byId.get(session.userId) === session) this.byId.delete(session.userId);
  }

  /** Up to `limit` sessions after the name key `after`, by key. */
  page(after: string | undefined, limit: number): Page<Session> {
    return this.sorted.page(after, limit);
  }

  sessions(): IterableIterator<Session> {
    return this.byKey.values();
  }
}
