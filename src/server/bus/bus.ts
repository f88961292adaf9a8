/**
 * The Bus (issue #15): how what one node committed reaches the connections of every node. The store is
 * the truth (a message is committed before anyone is told); the bus only moves news of it, so a bus may
 * lose messages, and when it may have, it says so (`onGap`) and the node catches up from the store.
 *
 * Order and loss, the contract every backend keeps (checked by `busSuite()` in
 * test/server/bus/bus-suite.ts):
 * - A publish is delivered to this node's own subscribers at once, inside `publish()`, in publish order;
 *   a publish made by a handler while a delivery runs waits until that delivery is done, so every
 *   subscriber sees one order. It is never delivered to this node a second time (a backend's echo of its
 *   own message is dropped here).
 * - Every other node's subscribers get it once, in this publisher's order, unless the backend reports a
 *   gap: then anything since the last delivery may be missing (never duplicated), and the node reads
 *   the store again. Messages of different publishers have no order between them.
 *
 * Shared logic lives here once (design §4.3, socket.io's cluster adapter): local delivery, the echo check,
 * the handler table, gap listeners. A backend implements only sending to and receiving from other nodes.
 */
import type { Logger } from 'pino';

/** Receives one message of a topic: its bytes (not to be modified) and the node that published it. */
export type BusHandler = (payload: Buffer, fromNode: string) => void;

/** Why messages may have been missed; whatever the reason, the answer is to catch up from the store. */
export interface BusGap {
  /**
   * `reconnected`: the connection to the other nodes was lost and is back (subscriptions are live again);
   * `skipped`: a publisher's sequence jumped, so some of its messages of `topic` never arrived.
   */
  reason: 'reconnected' | 'skipped';
  topic?: string;
  fromNode?: string;
}

export interface Bus {
  /** This node's id, unique in the cluster; handlers see it as `fromNode` of this node's publishes. */
  readonly nodeId: string;
  /** Delivers to this node's subscribers of `topic` now, and sends to the other nodes. */
  publish(topic: string, payload: Buffer): void;
  /**
   * Adds a handler of `topic`. Resolves once the subscription is live on the cluster: messages other
   * nodes publish after that reach the handler (what came before is the store's to tell).
   */
  subscribe(topic: string, handler: BusHandler): Promise<void>;
  /** Removes a handler; no later message reaches it, even one already on its way. */
  unsubscribe(topic: string, handler: BusHandler): void;
  /** Calls `listener` whenever messages may have been missed; returns a function that stops it. */
  onGap(listener: (gap: BusGap) => void): () => void;
  /** Stops sending and receiving; resolves when no timer or socket of the bus is left. */
  close(): Promise<void>;
}

/** A bus over a backend: delivers locally and keeps the handler table; the backend moves bytes. */
export abstract class BaseBus implements Bus {
  private readonly handlers = new Map<string, BusHandler[]>();
  private readonly gapListeners = new Set<(gap: BusGap) => void>();
  /** Local deliveries waiting for the one running now (a handler published): kept in publish order. */
  private readonly pending: { topic: string; payload: Buffer; fromNode: string }[] = [];
  private delivering = false;
  protected closed = false;

  constructor(
    readonly nodeId: string,
    protected readonly log: Logger,
  ) {
    if (nodeId === '') throw new Error('a bus needs a node id');
  }

  publish(topic: string, payload: Buffer): void {
    if (this.closed) throw new Error('publish on a closed bus');
    this.deliver(topic, payload, this.nodeId);
    this.send(topic, payload);
  }

  async subscribe(topic: string, handler: BusHandler): Promise<void> {
    if (this.closed) throw new Error('subscribe on a closed bus');
    const list = this.handlers.get(topic);
    // A new array, as in unsubscribe(): a delivery running now keeps the handlers it started with.
    this.handlers.set(topic, [...(list ?? []), handler]);
    try {
      await (list ? this.listening(topic) : this.listen(topic));
    } catch (err) {
      // Not live: the caller is told, and may subscribe again; a half-made subscription is not left behind.
      this.unsubscribe(topic, handler);
      throw err;
    }
  }

  unsubscribe(topic: string, handler: BusHandler): void {
    const list = this.handlers.get(topic);
    const at = list ? list.indexOf(handler) : -1;
    if (!list || at === -1) return;
    // A new array: a delivery running now iterates over the old one, and must not call this handler
    // again, so it checks membership before each call (see deliver()).
    const rest = list.filter((_, i) => i !== at);
    if (rest.length > 0) {
      this.handlers.set(topic, rest);
      return;
    }
    this.handlers.delete(topic);
    if (!this.closed) this.unlisten(topic);
  }

  onGap(listener: (gap: BusGap) => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    this.gapListeners.clear();
    await this.shutdown();
  }

  /** The topics with at least one handler here (a backend resubscribes to these after a reconnect). */
  protected topics(): string[] {
    return [...this.handlers.keys()];
  }

  /** A backend got a message from the cluster. This node's own messages were delivered at publish: dropped. */
  protected receive(topic: string, payload: Buffer, fromNode: string): void {
    if (this.closed || fromNode === this.nodeId) return;
    this.deliver(topic, payload, fromNode);
  }

  /** A backend may have missed messages: tells every gap listener. */
  protected gap(gap: BusGap): void {
    if (this.closed) return;
    this.log.warn({ node: this.nodeId, ...gap }, 'bus: messages may have been missed; catching up from the store');
    for (const listener of [...this.gapListeners]) {
      try {
        listener(gap);
      } catch (err) {
        this.log.error({ err, node: this.nodeId, ...gap }, 'bus: a gap listener threw');
      }
    }
  }

  private deliver(topic: string, payload: Buffer, fromNode: string): void {
    this.pending.push({ topic, payload, fromNode });
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift())
        this.deliverNow(next.topic, next.payload, next.fromNode);
    } finally {
      this.delivering = false;
    }
  }

  private deliverNow(topic: string, payload: Buffer, fromNode: string): void {
    const list = this.handlers.get(topic);
    if (!list) return;
    for (const handler of list) {
      // Unsubscribed by an earlier handler of this same delivery: it must not be called any more.
      if (this.handlers.get(topic)?.includes(handler) !== true) continue;
      try {
        handler(payload, fromNode);
      } catch (err) {
        // One handler's bug must not keep the message from the others, nor stop the bus.
        this.log.error({ err, node: this.nodeId, topic, fromNode }, 'bus: a handler threw');
      }
    }
  }

  /** Sends a message to the other nodes (never back to this one). Must not throw on a lost connection. */
  protected abstract send(topic: string, payload: Buffer): void;
  /** This node now has handlers of `topic`: start receiving it; resolve when the subscription is live. */
  protected abstract listen(topic: string): Promise<void>;
  /** Resolves when an earlier `listen(topic)` is live (a second handler waits for the first's subscription). */
  protected abstract listening(topic: string): Promise<void>;
  /** No handler of `topic` is left here: stop receiving it. */
  protected abstract unlisten(topic: string): void;
  /** Releases the backend's timers and sockets. */
  protected abstract shutdown(): Promise<void>;
}
