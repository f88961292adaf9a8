/**
 * The Redis bus (issue #15): several nodes, one Redis. One connection publishes and one subscribes
 * (a subscribed Redis connection can do nothing else), one Redis channel per topic under a prefix.
 *
 * Order: each connection is one TCP stream and Redis forwards a channel's messages in the order it got
 * them, so one publisher's messages arrive in its order. Loss: pub/sub keeps nothing for a subscriber
 * that is away, so after a reconnect the bus resubscribes and then reports a gap (`reconnected`), and a
 * jump in a publisher's numbering (a publish that failed, a subscriber Redis cut off) is a gap too
 * (`skipped`); a resent PUBLISH seen twice is dropped (src/server/bus/sequence-check.ts). The node then
 * catches up from the store, which every message reached before it was published.
 *
 * Topics are meant to be few and long-lived (cluster-wide channels such as commits and events, not one per
 * user): each is a Redis channel, and each publisher keeps a counter per topic it has published on.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BaseBus } from './bus.js';
import { checkNodeId, decodeFrame, encodeFrame } from './frame.js';
import { closeRedis, connectRedis } from './redis-connection.js';
import { SequenceCheck, SequenceCounter } from './sequence-check.js';

export interface RedisBusOptions {
  /** redis://host:port/db */
  url: string;
  /** Unique in the cluster and per process start (a reused id drops the other's messages as its own). */
  nodeId: string;
  log: Logger;
  /** Put before every channel name, so several clusters (or tests) can share one Redis. */
  prefix?: string;
}

export const DEFAULT_BUS_PREFIX = 'classchat:bus:';

export class RedisBus extends BaseBus {
  private readonly prefix: string;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly counter = new SequenceCounter();
  private readonly sequences = new SequenceCheck();
  /** Each topic's SUBSCRIBE, so a later handler of the topic can wait for it too. */
  private readonly subscriptions = new Map<string, Promise<void>>();
  private subscriberWasReady = false;
  private failedPublishes = 0;

  constructor(options: RedisBusOptions) {
    checkNodeId(options.nodeId);
    super(options.nodeId, options.log);
    this.prefix = options.prefix ?? DEFAULT_BUS_PREFIX;
    this.pub = connectRedis(options.url, `bus publish ${options.nodeId}`, options.log);
    this.sub = connectRedis(options.url, `bus subscribe ${options.nodeId}`, options.log);
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onMessage(channel, message));
    this.sub.on('ready', () => this.onSubscriberReady());
  }

  protected send(topic: string, payload: Buffer): void {
    const frame = encodeFrame({
      fromNode: this.nodeId,
      epoch: this.counter.epoch,
      seq: this.counter.take(topic),
      payload,
    });
    this.pub.publish(this.prefix + topic, frame).then(
      () => {
        if (this.failedPublishes === 0) return;
        this.log.warn({ node: this.nodeId, failed: this.failedPublishes }, 'bus: publishing to Redis works again');
        this.failedPublishes = 0;
      },
      (err: unknown) => {
        // Its receivers see the jump in seq at this publisher's next message and catch up from the store.
        // One error line per outage, not one per message: the count comes when publishing works again.
        if (this.failedPublishes++ === 0)
          this.log.error({ err, node: this.nodeId, topic }, 'bus: publish to Redis failed');
      },
    );
  }

  protected listen(topic: string): Promise<void> {
    const subscribed = this.sub.subscribe(this.prefix + topic).then(() => undefined);
    this.subscriptions.set(topic, subscribed);
    return subscribed;
  }

  protected listening(topic: string): Promise<void> {
    return this.subscriptions.get(topic) ?? Promise.resolve();
  }

  protected unlisten(topic: string): void {
    this.subscriptions.delete(topic);
    this.sequences.forgetTopic(topic);
    this.sub.unsubscribe(this.prefix + topic).catch((err: unknown) => {
      this.log.warn({ err, node: this.nodeId, topic }, 'bus: unsubscribe from Redis failed');
    });
  }

  protected async shutdown(): Promise<void> {
    await Promise.all([closeRedis(this.pub), closeRedis(this.sub)]);
  }

  private onMessage(channel: Buffer, message: Buffer): void {
    const name = channel.toString();
    if (!name.startsWith(this.prefix)) return;
    const topic = name.slice(this.prefix.length);
    const frame = decodeFrame(message);
    if (!frame) {
      this.log.warn(
        { node: this.nodeId, topic, bytes: message.length },
        'bus: dropped a message that is not a bus frame',
      );
      return;
    }
    if (frame.fromNode === this.nodeId) return;
    const verdict = this.sequences.check(topic, frame.fromNode, frame.epoch, frame.seq);
    if (verdict === 'duplicate') return;
    if (verdict === 'gap') this.gap({ reason: 'skipped', topic, fromNode: frame.fromNode });
    this.receive(topic, frame.payload, frame.fromNode);
  }

  /**
   * The subscriber connection is (again) ready. The first time, the queued SUBSCRIBEs go out by
   * themselves. After a reconnect, Redis has forgotten this connection's channels and whatever was
   * published meanwhile: subscribe again, and only then report the gap, so a catch-up started by the
   * report misses nothing that is published after it.
   */
  private onSubscriberReady(): void {
    if (!this.subscriberWasReady) {
      this.subscriberWasReady = true;
      return;
    }
    // The jumps the outage leaves in every publisher's numbering are this gap, not new ones.
    this.sequences.coverAll();
    const topics = this.topics();
    if (topics.length === 0 || this.closed) return;
    this.sub.subscribe(...topics.map((topic) => this.prefix + topic)).then(
      () => this.gap({ reason: 'reconnected' }),
      (err: unknown) => {
        // Lost again before it was done: the next 'ready' tries again.
        this.log.warn({ err, node: this.nodeId }, 'bus: resubscribing after a reconnect failed');
      },
    );
  }
}
