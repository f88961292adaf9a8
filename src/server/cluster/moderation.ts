/**
 * Moderation across nodes (#15): an admin on one node kicks or mutes a user whose session is on another.
 * The change is told to every node; the one holding the session carries it out, as the local path does.
 * (The mute itself is stored by the admin's node; `classchat admin` changes reach every node already,
 * since each polls admin_events itself: src/server/admin/admin-events.ts.)
 */
import type { Logger } from 'pino';
import type { SystemEvent } from '../../protocol/wire.js';
import type { Bus } from '../bus/bus.js';
import type { Chat, ClusterModeration } from '../chat/chat.js';
import { encodeSystemEvent } from '../chat/encode.js';

export const MODERATION_TOPIC = 'moderation';

type Order =
  { t: 'kick'; userId: number; text: string } | { t: 'mute'; userId: number; until: number; event: SystemEvent };

export class ModerationFeed implements ClusterModeration {
  private closed = false;

  private constructor(
    private readonly chat: Chat,
    private readonly bus: Bus,
    private readonly log: Logger,
  ) {}

  static async start(chat: Chat, bus: Bus, log: Logger): Promise<ModerationFeed> {
    const feed = new ModerationFeed(chat, bus, log);
    await bus.subscribe(MODERATION_TOPIC, feed.onOrder);
    chat.clusterModeration = feed;
    return feed;
  }

  kick(userId: number, text: string): void {
    this.publish({ t: 'kick', userId, text });
  }

  mute(userId: number, until: number, event: SystemEvent): void {
    this.publish({ t: 'mute', userId, until, event });
  }

  stop(): void {
    this.closed = true;
    this.bus.unsubscribe(MODERATION_TOPIC, this.onOrder);
    this.chat.clusterModeration = null;
  }

  private readonly onOrder = (payload: Buffer, fromNode: string): void => {
    if (fromNode === this.bus.nodeId || this.closed) return;
    const order = JSON.parse(payload.toString()) as Order;
    const session = this.chat.presence.byUser(order.userId);
    if (!session) return; // not on this node
    if (order.t === 'kick') {
      this.log.warn({ user: session.name, fromNode }, 'kicked from another node');
      session.close('kicked', order.text);
      return;
    }
    session.mutedUntil = order.until;
    session.deliver(encodeSystemEvent(order.event));
  };

  private publish(order: Order): void {
    if (this.closed) return;
    try {
      this.bus.publish(MODERATION_TOPIC, Buffer.from(JSON.stringify(order)));
    } catch (err) {
      this.log.warn({ err, order: order.t }, 'cluster: telling a moderation change failed');
    }
  }
}
