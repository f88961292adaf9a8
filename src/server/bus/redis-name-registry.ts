/**
 * The Redis name registry (issue #15). Keys, under a prefix:
 *   <prefix>names            a hash, name → owning instance (`<nodeId>#<random>`)
 *   <prefix>node:<instance>  the instance's liveness mark, `PX ttlMs`, refreshed by its heartbeat
 * One mark per node, not per name, so a heartbeat costs one command whatever the number of names. Each
 * step is one Lua script, so Redis runs it atomically: two nodes racing for a name cannot both win, and
 * "free, or its owner's mark is gone" is checked and acted on in one step.
 *
 * The scripts read the owner's mark under a key built inside the script, which Redis Cluster forbids: this
 * registry is for one Redis (or a primary with replicas), like the bus. Scripts are sent with EVAL: names
 * are claimed at login and the heartbeat is one call per interval, far from a hot path.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BaseNameRegistry, type RegistryTiming } from './name-registry.js';
import { closeRedis, connectRedis } from './redis-connection.js';

export interface RedisNameRegistryOptions {
  url: string;
  nodeId: string;
  log: Logger;
  /** Put before every key, so several clusters (or tests) can share one Redis. */
  prefix?: string;
  timing?: Partial<RegistryTiming>;
}

export const DEFAULT_REGISTRY_PREFIX = 'classchat:names:';

/** KEYS[1] the mark; ARGV[1] ttl ms. Refreshes the mark; returns 1 if it was still there. */
const BEAT = `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return existed`;

/**
 * KEYS[1] the names hash, KEYS[2] the mark; ARGV[1] mark key prefix, ARGV[2] instance, ARGV[3] ttl ms,
 * ARGV[4..] names. Refreshes the mark, then claims each name that is free, this instance's, or held by an
 * instance whose mark is gone. Returns { mark existed (0/1), name, owner, name, owner, … } for the names a
 * live other instance holds.
 */
const CLAIM = `
local existed = redis.call('EXISTS', KEYS[2])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
local taken = { existed }
for i = 4, #ARGV do
  local owner = redis.call('HGET', KEYS[1], ARGV[i])
  if owner and owner ~= ARGV[2] and redis.call('EXISTS', ARGV[1] .. owner) == 1 then
    taken[#taken + 1] = ARGV[i]
    taken[#taken + 1] = owner
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[2])
  end
end
return taken`;

/** KEYS[1] the names hash, KEYS[2] the mark; ARGV[1] instance, ARGV[2] 1 to remove the mark, ARGV[3..] names. */
const RELEASE = `
for i = 3, #ARGV do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[1] then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
if ARGV[2] == '1' then redis.call('DEL', KEYS[2]) end
return 0`;

/**
 * KEYS[1] the names hash; ARGV[1] mark key prefix, ARGV[2] name. The live owner, or false. A dead owner's
 * entry is removed on the way, so the hash holds at most one field per name ever claimed and alive.
 */
const LOOKUP = `
local owner = redis.call('HGET', KEYS[1], ARGV[2])
if not owner then return false end
if redis.call('EXISTS', ARGV[1] .. owner) == 1 then return owner end
redis.call('HDEL', KEYS[1], ARGV[2])
return false`;

/** Names per script call when re-asserting or leaving, so one call never holds Redis for long. */
const BATCH = 500;

function inBatches(names: string[]): string[][] {
  const batches: string[][] = [];
  for (let at = 0; at < names.length; at += BATCH) batches.push(names.slice(at, at + BATCH));
  return batches;
}

export class RedisNameRegistry extends BaseNameRegistry {
  private readonly redis: Redis;
  private readonly namesKey: string;
  private readonly markPrefix: string;
  private readonly markKey: string;

  constructor(options: RedisNameRegistryOptions) {
    super(options.nodeId, options.log, options.timing);
    const prefix = options.prefix ?? DEFAULT_REGISTRY_PREFIX;
    this.namesKey = `${prefix}names`;
    this.markPrefix = `${prefix}node:`;
    this.markKey = this.markPrefix + this.instance;
    this.redis = connectRedis(options.url, `name registry ${options.nodeId}`, options.log);
    let wasReady = false;
    this.redis.on('ready', () => {
      this.answering();
      // After a reconnect, Redis may have restarted empty: check the mark now, not at the next interval.
      if (wasReady) this.reconnected();
      wasReady = true;
    });
    this.redis.on('close', () => this.notAnswering());
    this.start();
  }

  protected async beat(): Promise<boolean> {
    return (await this.redis.eval(BEAT, 1, this.markKey, this.timing.ttlMs)) === 1;
  }

  protected async tryClaim(name: string): Promise<{ owner: string; wasAlive: boolean }> {
    const [existed, , owner] = await this.claimAll([name]);
    return { owner: typeof owner === 'string' ? owner : this.instance, wasAlive: existed === 1 };
  }

  protected async reclaim(names: string[]): Promise<[string, string][]> {
    const lost: [string, string][] = [];
    for (const batch of inBatches(names)) {
      const [, ...taken] = await this.claimAll(batch);
      for (let i = 0; i + 1 < taken.length; i += 2) lost.push([String(taken[i]), String(taken[i + 1])]);
    }
    return lost;
  }

  protected async tryRelease(names: string[], options = { leaving: false }): Promise<void> {
    const batches = inBatches(names);
    // Leaving with no names still removes the mark: one call with an empty batch.
    if (batches.length === 0) batches.push([]);
    for (const [i, batch] of batches.entries()) {
      const leave = options.leaving && i === batches.length - 1 ? '1' : '0';
      await this.redis.eval(RELEASE, 2, this.namesKey, this.markKey, this.instance, leave, ...batch);
    }
  }

  protected async markExists(instance: string): Promise<boolean> {
    return (await this.redis.exists(this.markPrefix + instance)) === 1;
  }

  protected async lookup(name: string): Promise<string | null> {
    const owner = await this.redis.eval(LOOKUP, 1, this.namesKey, this.markPrefix, name);
    return typeof owner === 'string' ? owner : null;
  }

  protected shutdown(): Promise<void> {
    return closeRedis(this.redis);
  }

  private async claimAll(names: string[]): Promise<unknown[]> {
    const reply = await this.redis.eval(
      CLAIM,
      2,
      this.namesKey,
      this.markKey,
      this.markPrefix,
      this.instance,
      this.timing.ttlMs,
      ...names,
    );
    if (!Array.isArray(reply)) throw new Error('name registry: unexpected reply to a claim');
    return reply as unknown[];
  }
}
