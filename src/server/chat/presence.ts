/** Who is online: registered sessions by name key and by user id. */
import type { Session } from './session.js';

export class Presence {
  private readonly byKey = new Map<string, Session>();
  private readonly byId = new Map<number, Session>();

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
  }

  remove(session: Session): void {
    if (this.byKey.get(session.key) === session) this.byKey.delete(session.key);
    if (this.byId.get(session.userId) === session) this.byId.delete(session.userId);
  }

  sessions(): IterableIterator<Session> {
    return this.byKey.values();
  }
}
