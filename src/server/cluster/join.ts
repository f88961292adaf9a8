/**
 * Joins a node to the others (#15): a Redis bus and name registry, and the feed that delivers every
 * node's committed messages here in id order. One id per process start (the bus and registry need it
 * unique: a reused id would drop the other's messages as its own).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import type { NameRegistry } from '../bus/name-registry.js';
import { RedisBus } from '../bus/redis-bus.js';
import { RedisNameRegistry } from '../bus/redis-name-registry.js';
import type { Chat } from '../chat/chat.js';
import { ClusterFeed } from './feed.js';
import { ModerationFeed } from './moderation.js';
import { RegistryNames } from './names.js';
import { PresenceFeed } from './presence.js';

export interface Cluster {
  readonly nodeId: string;
  readonly bus: Bus;
  readonly names: NameRegistry;
  readonly feed: ClusterFeed;
  readonly presence: PresenceFeed;
  /** Leaves the others; `keepNames` leaves this node's names to expire, as a killed node would (tests). */
  close(options?: { keepNames?: boolean }): Promise<void>;
}

export async function joinCluster(chat: Chat, url: string, prefix: string | undefined, log: Logger): Promise<Cluster> {
  const nodeId = `${os.hostname().slice(0, 40)}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const bus = new RedisBus({ url, nodeId, log, ...(prefix !== undefined && { prefix: `${prefix}bus:` }) });
  const names = new RedisNameRegistry({ url, nodeId, log, ...(prefix !== undefined && { prefix: `${prefix}names:` }) });
  let feed: ClusterFeed;
  let claims: RegistryNames;
  let presence: PresenceFeed;
  let moderation: ModerationFeed;
  try {
    feed = await ClusterFeed.start(chat, bus, log);
    claims = await RegistryNames.start(chat, bus, names, log);
    presence = await PresenceFeed.start(chat, bus, names, log);
    moderation = await ModerationFeed.start(chat, bus, log);
  } catch (err) {
    await Promise.all([bus.close(), names.close()]);
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    nodeId,
    bus,
    names,
    feed,
    presence,
    close: (options = {}) =>
      (closing ??= (async () => {
        feed.stop();
        claims.stop();
        presence.stop();
        moderation.stop();
        await Promise.all([bus.close(), names.close(options)]);
      })()),
  };
}
