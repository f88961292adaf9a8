/**
 * Presence across nodes (#15): every node tells the others when one of its sessions goes online or
 * offline, so `who` on any node lists the users of every node and a user's contacts on every node get
 * its `connect` and `disconnect`, as on one node. What a node holds is chat.elsewhere.
 *
 * Notes can be lost (Redis pub/sub drops what is sent while a node is cut off) and a node can die without
 * a word (kill -9). So each node also beats: every `beatMs` it says how many sessions it has announced.
 * A node whose count differs from what this node holds for it is asked for its whole roster; a node not
 * heard from for `deadMs` whose names the registry no longer gives it is dead, and its users go offline
 * here with `disconnect` events. By default the two are the name registry's heartbeat and TTL, so a
 * killed node's users drop out of every node's `who` 7 to 11 s after it died (its last beat came up to
 * `beatMs` before; the sweep runs every second).
 */
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import { DEFAULT_REGISTRY_TIMING, type NameRegistry } from '../bus/name-registry.js';
import type { Chat, ClusterPresence } from '../chat/chat.js';
import type { RemoteUser } from '../chat/elsewhere.js';
import { presenceText, tellContacts } from '../chat/login.js';
import type { Session } from '../chat/session.js';

export const PRESENCE_TOPIC = 'presence';

/** How long the users dropped with a node declared dead are remembered, for `connect` if it comes back. */
const FORGET_DROPPED_MS = 10 * 60_000;

export interface PresenceTiming {
  /** How often a node says it is alive (and how many it has online). */
  beatMs: number;
  /** A node silent this long is dead: its users are offline. */
  deadMs: number;
}

export const DEFAULT_PRESENCE_TIMING: PresenceTiming = {
  beatMs: DEFAULT_REGISTRY_TIMING.heartbeatMs,
  deadMs: DEFAULT_REGISTRY_TIMING.ttlMs,
};

/** A session as the notes carry it: user id, name, name key, the node's number for the session. */
type Row = [userId: number, name: string, key: string, session: number];

type Note =
  | { t: 'online' | 'offline'; u: Row; partners: number[] }
  /** `inst`: the sender's name registry instance, whose liveness mark says whether it is alive. */
  | { t: 'beat'; online: number; inst?: string }
  /** "Send your roster": to one node, or '*' to all. */
  | { t: 'ask'; to: string }
  | { t: 'roster'; users: Row[] };

export class PresenceFeed implements ClusterPresence {
  /** The sessions announced to the others, with this node's number for each. */
  private readonly announced = new Map<Session, number>();
  private nextNumber = 1;
  /** When each other node was last heard from (Date.now()). */
  private readonly lastHeard = new Map<string, number>();
  /** Each other node's registry instance, from its beats. */
  private readonly instances = new Map<string, string>();
  /**
   * Users dropped here with a node declared dead (when, and their keys): if that node was alive after
   * all (paused, cut off longer than the TTL), its roster brings them back with `connect`.
   */
  private readonly droppedAsDead = new Map<string, { at: number; keys: Set<string> }>();
  private readonly timers: NodeJS.Timeout[] = [];
  private stopGap: () => void = () => {};
  private sweeping = false;
  /** Silent nodes kept because the registry still gave them their names (tests, logs). */
  keptAlive = 0;
  private closed = false;

  private constructor(
    private readonly chat: Chat,
    private readonly bus: Bus,
    private readonly registry: NameRegistry,
    private readonly log: Logger,
    private readonly timing: PresenceTiming,
  ) {}

  static async start(
    chat: Chat,
    bus: Bus,
    registry: NameRegistry,
    log: Logger,
    timing: PresenceTiming = DEFAULT_PRESENCE_TIMING,
  ): Promise<PresenceFeed> {
    const feed = new PresenceFeed(chat, bus, registry, log, timing);
    await bus.subscribe(PRESENCE_TOPIC, feed.onNote);
    chat.clusterPresence = feed;
    // Who is online elsewhere now; and after any gap, since notes may have been lost.
    feed.stopGap = bus.onGap(() => feed.publish({ t: 'ask', to: '*' }));
    feed.publish({ t: 'ask', to: '*' });
    feed.beat();
    feed.timers.push(
      setInterval(() => feed.beat(), timing.beatMs).unref(),
      setInterval(() => feed.sweep(), Math.min(1000, timing.beatMs)).unref(),
    );
    return feed;
  }

  online(session: Session): void {
    const number = this.nextNumber++;
    this.announced.set(session, number);
    this.publish({ t: 'online', u: row(session, number), partners: [...(session.partners ?? [])] });
  }

  offline(session: Session): void {
    const number = this.announced.get(session);
    if (number === undefined) return;
    this.announced.delete(session);
    this.publish({ t: 'offline', u: row(session, number), partners: [...(session.partners ?? [])] });
  }

  /** Stops telling and listening; the others see this node's users go when its beats stop. */
  stop(): void {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.stopGap();
    this.bus.unsubscribe(PRESENCE_TOPIC, this.onNote);
    this.chat.clusterPresence = null;
  }

  private readonly onNote = (payload: Buffer, fromNode: string): void => {
    if (fromNode === this.bus.nodeId || this.closed) return;
    this.lastHeard.set(fromNode, Date.now());
    const note = JSON.parse(payload.toString()) as Note;
    switch (note.t) {
      case 'online':
        this.cameOnline(fromNode, note.u, note.partners);
        return;
      case 'offline':
        this.wentOffline(fromNode, note.u, note.partners);
        return;
      case 'beat':
        if (note.inst !== undefined) this.instances.set(fromNode, note.inst);
        // A note of that node's was lost (or this node forgot it as dead while it was only slow).
        if (note.online !== this.chat.elsewhere.countOf(fromNode)) this.publish({ t: 'ask', to: fromNode });
        return;
      case 'ask':
        if (note.to === '*' || note.to === this.bus.nodeId)
          this.publish({ t: 'roster', users: [...this.announced].map(([session, number]) => row(session, number)) });
        return;
      case 'roster':
        this.replaceRoster(fromNode, note.users);
        return;
    }
  };

  private cameOnline(node: string, [userId, name, key, session]: Row, partners: number[]): void {
    // Online here too would be a session the registry let through during a hand-over: this one is newer.
    this.holdOnline({ userId, name, key, node, session });
    this.droppedAsDead.get(node)?.keys.delete(key); // told `connect` here
    tellContacts(
      this.chat,
      { userId, name },
      this.chat.rooms.of(userId),
      partners,
      'connect',
      presenceText(name, 'connect'),
    );
  }

  /**
   * Holds `user` as online on its node. Their login there gave them what waited for them (and moved
   * their cursors), so what this node counted as waiting for them is counted no more (issue #11.12).
   */
  private holdOnline(user: RemoteUser): void {
    this.chat.elsewhere.set(user);
    this.chat.waitingBytes.delete(user.key);
  }

  private wentOffline(node: string, [, , key, session]: Row, partners: number[]): void {
    // Already replaced by a newer session (a login elsewhere): that one stays, and nobody is told.
    const gone = this.chat.elsewhere.remove(key, node, session);
    if (gone) this.tellGone(gone, partners);
  }

  /**
   * A node's whole roster: what this node held for it is replaced, without events (a repair, not news),
   * except for users this node told `disconnect` when it declared their node dead: they are back.
   */
  private replaceRoster(node: string, users: Row[]): void {
    const keep = new Set<string>();
    const dropped = this.droppedAsDead.get(node)?.keys;
    this.droppedAsDead.delete(node);
    for (const [userId, name, key, session] of users) {
      keep.add(key);
      const held = this.chat.elsewhere.byName(key);
      if (held?.node === node && held.session === session) continue;
      if (this.chat.presence.byName(key)) continue; // online here since: this node's session is newer
      this.holdOnline({ userId, name, key, node, session });
      if (dropped?.has(key)) this.tellBack({ userId, name, key, node, session });
    }
    for (const held of this.chat.elsewhere.ofNode(node))
      if (!keep.has(held.key)) this.chat.elsewhere.remove(held.key, node);
  }

  /**
   * Drops the users of every node not heard from for `deadMs`, telling their contacts they left. The
   * registry has the last word: a node it still holds a name for is alive (this node's bus missed its
   * beats: a Redis blip here) or not dead for long enough, and one the registry cannot be asked about is
   * kept until it can.
   */
  private sweep(): void {
    if (this.sweeping) return;
    const now = Date.now();
    for (const [node, { at }] of this.droppedAsDead) if (at < now - FORGET_DROPPED_MS) this.droppedAsDead.delete(node);
    const deadline = now - this.timing.deadMs;
    const silent = [...this.lastHeard].filter(([, heard]) => heard <= deadline).map(([node]) => node);
    if (silent.length === 0) return;
    this.sweeping = true;
    void this.dropDead(silent).finally(() => (this.sweeping = false));
  }

  private async dropDead(silent: string[]): Promise<void> {
    // Right after a registry outage (Redis restarted, or unreachable from here) the other nodes have not
    // re-marked themselves yet: each does at its reconnect (backoff up to RECONNECT_MAX_MS and jitter) or
    // its next heartbeat. Their marks say nothing until two heartbeats' time has passed.
    if (this.registry.answeringForMs() < 2 * this.timing.beatMs) return;
    for (const node of silent) {
      const users = this.chat.elsewhere.ofNode(node);
      let alive: boolean;
      try {
        alive = await this.stillAlive(node, users);
      } catch (err) {
        this.log.warn({ err, node }, 'cluster: a silent node could not be checked in the registry; kept for now');
        continue;
      }
      if (this.closed) return;
      // Alive after all (this node's bus lost its beats), or dead with its registry mark not yet expired:
      // checked again at the next sweep. A live node's next beat heard here settles it.
      if (alive) {
        this.keptAlive++;
        continue;
      }
      this.lastHeard.delete(node);
      this.instances.delete(node);
      if (users.length > 0)
        this.log.warn({ node, users: users.length }, 'cluster: a node went silent; its users are offline');
      const dropped = { at: Date.now(), keys: new Set<string>() };
      for (const user of users) {
        if (!this.chat.elsewhere.remove(user.key, node, user.session)) continue;
        dropped.keys.add(user.key);
        this.tellGone(user, null);
      }
      if (dropped.keys.size > 0) this.droppedAsDead.set(node, dropped);
    }
  }

  /**
   * Whether a silent node's registry mark is still there: its own mark, refreshed by its every heartbeat,
   * not one of its names (a name is re-claimed only after the mark, and a node with no user has none). A
   * node that never sent its instance (older code) is asked about by its first user's name.
   */
  private async stillAlive(node: string, users: RemoteUser[]): Promise<boolean> {
    const instance = this.instances.get(node);
    if (instance !== undefined) return await this.registry.alive(instance);
    const first = users[0];
    return first !== undefined && (await this.registry.owner(first.key)) === node;
  }

  /** A user this node had declared gone with its node, in that node's roster after all. */
  private tellBack(user: RemoteUser): void {
    tellContacts(
      this.chat,
      user,
      this.chat.rooms.of(user.userId),
      this.partnersHere(user.userId),
      'connect',
      presenceText(user.name, 'connect'),
    );
  }

  /**
   * A user left on another node. Its partners come with the note; when its node died there is none, and
   * this node's sessions that have a private conversation with it are told instead.
   */
  private tellGone(user: RemoteUser, partners: number[] | null): void {
    const told = partners ?? this.partnersHere(user.userId);
    tellContacts(
      this.chat,
      user,
      this.chat.rooms.of(user.userId),
      told,
      'disconnect',
      presenceText(user.name, 'disconnect'),
    );
  }

  private partnersHere(userId: number): number[] {
    const ids: number[] = [];
    for (const session of this.chat.presence.sessions()) if (session.partners?.has(userId)) ids.push(session.userId);
    return ids;
  }

  private beat(): void {
    this.publish({ t: 'beat', online: this.announced.size, inst: this.registry.instance });
  }

  private publish(note: Note): void {
    if (this.closed) return;
    try {
      this.bus.publish(PRESENCE_TOPIC, Buffer.from(JSON.stringify(note)));
    } catch (err) {
      // A closed bus (shutting down): the others see this node go when its beats stop.
      this.log.warn({ err, note: note.t }, 'cluster: telling presence failed');
    }
  }
}

function row(session: Session, number: number): Row {
  return [session.userId, session.name, session.key, number];
}
