/**
 * The cluster feed (#15, docs/scaling.md): how the messages one node committed reach the sessions of
 * every node, in one id order. After its commit a node publishes one batch of the messages it committed;
 * every node delivers its own and the others' messages strictly by id. A batch ahead of a missing id
 * waits a moment for it, then the node reads the missing range from the store (ids are in commit order,
 * so everything below a published id is stored; an id never found belongs to a deleted conversation).
 * After the bus reports a gap (a Redis reconnect), the node reads from the store from where it stands.
 * The watermark (chat.watermark()) moves as messages are delivered, whichever node sent them.
 */
import type { Logger } from 'pino';
import type { SystemEvent } from '../../protocol/wire.js';
import type { Bus } from '../bus/bus.js';
import type { Chat, ClusterOrder } from '../chat/chat.js';
import { nameKey } from '../../protocol/names.js';
import { encodeSystemEvent } from '../chat/encode.js';
import { forgetRoom } from '../chat/room-sync.js';
import type { StoredMessage } from '../store/store.js';
import { decodeBatch, encodeBatch } from './batch.js';
import { countWaiting, deliverRemote, roomsChangeBefore, roomsChangeAfter } from './remote-delivery.js';

export const COMMITS_TOPIC = 'commits';
export const EVENTS_TOPIC = 'events';
/** How long a batch ahead of a missing id waits for it before the node reads it from the store. */
export const DEFAULT_GAP_WAIT_MS = 100;
/** How long a request that names something unknown here waits for this node to catch up. */
const CATCH_UP_WAIT_MS = 3000;
/** Rows per store read while filling a gap. */
const FILL_PAGE = 500;

/** A message waiting for its turn: delivered by the local path (this node's) or the remote one. */
interface Waiting {
  message: StoredMessage;
  deliver: () => void;
  local: boolean;
}

/** A change that is not a message, told to every node; `told`, the event the room's online members get. */
type ClusterEvent = { t: 'room-deleted'; id: number; told?: SystemEvent };

export class ClusterFeed implements ClusterOrder {
  /** The next id to deliver: every lower one was delivered here, or is known not to exist. */
  private nextId: number;
  private readonly waiting = new Map<number, Waiting>();
  /** Ids below this that are not waiting were looked for in the store and are gone (deleted rooms). */
  private knownBelow = 0;
  /** This node's messages delivered and not yet published (one publish per turn of the event loop). */
  private outgoing: StoredMessage[] = [];
  private publishQueued = false;
  private timer: NodeJS.Timeout | null = null;
  /** Delivery pauses while the rooms are read again or a range is read from the store. */
  private busy: Promise<void> | null = null;
  private fillRequested: 'range' | 'all' | null = null;
  private closed = false;
  /** Messages read from the store because the bus did not bring them (tests, logs). */
  readFromStore = 0;
  private stopGap: () => void = () => {};

  private constructor(
    private readonly chat: Chat,
    private readonly bus: Bus,
    private readonly log: Logger,
    private readonly gapWaitMs: number,
  ) {
    this.nextId = chat.watermark();
  }

  /** Joins `chat` to the other nodes on `bus`; resolves once the subscriptions are live. */
  static async start(chat: Chat, bus: Bus, log: Logger, gapWaitMs = DEFAULT_GAP_WAIT_MS): Promise<ClusterFeed> {
    const feed = new ClusterFeed(chat, bus, log, gapWaitMs);
    chat.cluster = feed;
    chat.onRoomDeleted = (id, told) => feed.publishEvent({ t: 'room-deleted', id, ...(told && { told }) });
    await bus.subscribe(COMMITS_TOPIC, feed.onBatch);
    await bus.subscribe(EVENTS_TOPIC, feed.onEvent);
    feed.stopGap = bus.onGap(() => feed.requestFill('all'));
    // What others committed between this node's load and its subscriptions being live.
    feed.requestFill('all');
    return feed;
  }

  /** Where delivery stands (tests). */
  get deliveredBelow(): number {
    return this.nextId;
  }

  local(message: StoredMessage, deliver: () => void, acknowledge: () => void): void {
    if (message.id < this.nextId) {
      // Read from the store and delivered while this commit's answer was on its way: not twice.
      acknowledge();
      this.queuePublish(message);
      return;
    }
    this.waiting.set(message.id, {
      message,
      local: true,
      deliver: () => {
        deliver();
        this.queuePublish(message);
      },
    });
    this.drain();
  }

  /**
   * Resolves once everything committed before the call is delivered here (#15: a request naming a room
   * another node made a moment ago finds it, rather than `no_such_room` until the bus brings it).
   */
  async caughtUp(timeoutMs = CATCH_UP_WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.requestFill('all');
    // The fill, then what it delivered pausing for the rooms to be read again: each may start the next.
    // Bounded: while the store cannot be read, the fill retries for as long as it takes.
    while (this.busy !== null && !this.closed && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now())));
      await Promise.race([this.busy, late]);
      clearTimeout(timer);
    }
  }

  /**
   * After an outage (#15): reads the store to its end and delivers what it holds past where delivery
   * stands (a commit of this node whose answer was lost stored messages nobody was given, and no later
   * batch may come to reveal the gap). Resolves once that read is delivered.
   */
  async catchUpFromStore(): Promise<void> {
    this.requestFill('all');
    while (this.busy !== null && !this.closed) await this.busy;
  }

  stop(): void {
    this.closed = true;
    this.stopGap();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.bus.unsubscribe(COMMITS_TOPIC, this.onBatch);
    this.bus.unsubscribe(EVENTS_TOPIC, this.onEvent);
    this.chat.cluster = null;
  }

  private readonly onBatch = (payload: Buffer, fromNode: string): void => {
    if (fromNode === this.bus.nodeId || this.closed) return;
    let messages: StoredMessage[];
    try {
      messages = decodeBatch(payload);
    } catch (err) {
      this.log.warn({ err, fromNode }, 'cluster: dropped a batch that does not decode; reading the store instead');
      this.requestFill('all');
      return;
    }
    for (const message of messages) this.addRemote(message);
    this.drain();
  };

  private readonly onEvent = (payload: Buffer, fromNode: string): void => {
    if (fromNode === this.bus.nodeId || this.closed) return;
    const event = JSON.parse(payload.toString()) as ClusterEvent;
    if (event.t === 'room-deleted') {
      const room = this.chat.rooms.byId(event.id);
      if (!room) return;
      const bytes = event.told && encodeSystemEvent(event.told);
      if (bytes) for (const member of room.online) member.deliver(bytes);
      forgetRoom(this.chat, room);
    }
  };

  private publishEvent(event: ClusterEvent): void {
    if (!this.closed) this.bus.publish(EVENTS_TOPIC, Buffer.from(JSON.stringify(event)));
  }

  private addRemote(message: StoredMessage): void {
    if (message.id < this.nextId || this.waiting.has(message.id)) return;
    this.waiting.set(message.id, { message, local: false, deliver: () => this.deliverRemote(message) });
  }

  private deliverRemote(message: StoredMessage): void {
    // A room event names its room by name (receiver) and id: that room alone is read again, and changed
    // in place (a whole reload would cost O(rooms) per event and could undo a local change: refreshRoom).
    if (roomsChangeBefore(message)) {
      // A room made or joined elsewhere: its members as stored now, then the message to them.
      const refreshed = this.chat.refreshRoom(message.convId, nameKey(message.receiver));
      this.pause(refreshed.then(() => deliverRemote(this.chat, message)));
      return;
    }
    deliverRemote(this.chat, message);
    countWaiting(this.chat, message);
    if (roomsChangeAfter(message)) this.pause(this.chat.refreshRoom(message.convId, nameKey(message.receiver)));
  }

  /** Delivers every message whose turn it is; a later one waits for the lower ids. */
  private drain(): void {
    while (this.busy === null && !this.closed) {
      const next = this.waiting.get(this.nextId);
      if (next) {
        this.waiting.delete(this.nextId);
        try {
          next.deliver();
        } catch (err) {
          this.log.error({ err, msgid: next.message.id }, 'cluster: delivering a message failed');
        }
      } else if (this.nextId >= this.knownBelow) {
        break;
      }
      this.nextId++;
      this.chat.advanceWatermark(this.nextId);
    }
    this.armTimer();
  }

  /** Messages wait behind a missing id: give it a moment, then read it from the store. */
  private armTimer(): void {
    const blocked = this.waiting.size > 0 && this.busy === null;
    if (!blocked) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.requestFill('range');
    }, this.gapWaitMs);
  }

  private pause(work: Promise<unknown>): void {
    const done = work
      .catch((err: unknown) => this.log.error({ err }, 'cluster: reading the rooms again failed'))
      .then(() => {
        if (this.busy === done) this.busy = null;
        if (this.fillRequested !== null) this.startFill();
        else this.drain();
      });
    this.busy = done;
  }

  private requestFill(kind: 'range' | 'all'): void {
    if (this.closed) return;
    if (this.fillRequested !== 'all') this.fillRequested = kind;
    if (this.busy === null) this.startFill();
  }

  private startFill(): void {
    const kind = this.fillRequested;
    this.fillRequested = null;
    if (kind === null) return;
    const done = this.fill(kind)
      .catch((err: unknown) => {
        // The store did not answer: try again after the wait (an outage is waited out elsewhere).
        this.log.warn({ err }, 'cluster: reading missed messages from the store failed; retrying');
        this.fillRequested ??= kind;
        return new Promise<void>((resolve) => setTimeout(resolve, this.gapWaitMs * 5).unref());
      })
      .then(() => {
        if (this.busy === done) this.busy = null;
        if (this.fillRequested !== null) this.startFill();
        else this.drain();
      });
    this.busy = done;
  }

  /**
   * Reads what was missed from the store: up to the lowest waiting id ('range'), or to the store's end
   * ('all'). Each row not yet delivered is queued for remote delivery (this node's too: one whose commit
   * answer had not arrived is then only acknowledged, see local()).
   */
  private async fill(kind: 'range' | 'all'): Promise<void> {
    const lowestWaiting = this.waiting.size > 0 ? Math.min(...this.waiting.keys()) : Number.MAX_SAFE_INTEGER;
    const below = kind === 'range' ? lowestWaiting : Number.MAX_SAFE_INTEGER;
    let from = this.nextId;
    for (;;) {
      const rows = await this.chat.store.messagesBetween(from, below, FILL_PAGE);
      this.readFromStore += rows.length;
      for (const row of rows) if (!this.waiting.has(row.id)) this.addRemote(row);
      const last = rows.at(-1);
      if (rows.length < FILL_PAGE || last === undefined) {
        // Every id below this was either read now or does not exist.
        const end = kind === 'range' ? below : last !== undefined ? last.id + 1 : from;
        if (end > this.knownBelow) this.knownBelow = end;
        return;
      }
      from = last.id + 1;
    }
  }

  private queuePublish(message: StoredMessage): void {
    this.outgoing.push(message);
    if (this.publishQueued) return;
    this.publishQueued = true;
    // The rest of this commit's messages settle in the microtasks already queued: one batch for them.
    queueMicrotask(() => {
      this.publishQueued = false;
      const batch = this.outgoing;
      this.outgoing = [];
      if (this.closed || batch.length === 0) return;
      try {
        this.bus.publish(COMMITS_TOPIC, encodeBatch(batch));
      } catch (err) {
        this.log.error({ err, messages: batch.length }, 'cluster: publishing a batch failed');
      }
    });
  }
}
