/**
 * The local name registry (issue #15): one node, names in memory. It keeps the same rules as the Redis
 * one (liveness marks with a TTL, claims by instance) over a `LocalNameTable`, so one contract suite checks
 * both, and several registries sharing a table behave like nodes of one cluster (tests).
 */
import type { Logger } from 'pino';
import { BaseNameRegistry, type RegistryTiming } from './name-registry.js';

/** The names and liveness marks of one pretend cluster, in memory. Times from a monotonic clock. */
export class LocalNameTable {
  private readonly owners = new Map<string, string>();
  private readonly marks = new Map<string, number>();

  alive(instance: string): boolean {
    const until = this.marks.get(instance);
    if (until === undefined) return false;
    if (until > performance.now()) return true;
    this.marks.delete(instance);
    return false;
  }

  beat(instance: string, ttlMs: number): boolean {
    const wasAlive = this.alive(instance);
    this.marks.set(instance, performance.now() + ttlMs);
    return wasAlive;
  }

  claim(name: string, instance: string): string {
    const owner = this.owners.get(name);
    if (owner !== undefined && owner !== instance && this.alive(owner)) return owner;
    this.owners.set(name, instance);
    return instance;
  }

  release(name: string, instance: string): void {
    if (this.owners.get(name) === instance) this.owners.delete(name);
  }

  leave(instance: string): void {
    this.marks.delete(instance);
  }

  owner(name: string): string | null {
    const owner = this.owners.get(name);
    return owner !== undefined && this.alive(owner) ? owner : null;
  }
}

export class LocalNameRegistry extends BaseNameRegistry {
  constructor(
    nodeId: string,
    log: Logger,
    timing: Partial<RegistryTiming> = {},
    private readonly table = new LocalNameTable(),
  ) {
    super(nodeId, log, timing);
    this.answering(); // memory always answers
    this.start();
  }

  protected beat(): Promise<boolean> {
    return Promise.resolve(this.table.beat(this.instance, this.timing.ttlMs));
  }

  protected tryClaim(name: string): Promise<{ owner: string; wasAlive: boolean }> {
    const wasAlive = this.table.beat(this.instance, this.timing.ttlMs);
    return Promise.resolve({ owner: this.table.claim(name, this.instance), wasAlive });
  }

  protected reclaim(names: string[]): Promise<[string, string][]> {
    this.table.beat(this.instance, this.timing.ttlMs);
    const lost: [string, string][] = [];
    for (const name of names) {
      const owner = this.table.claim(name, this.instance);
      if (owner !== this.instance) lost.push([name, owner]);
    }
    return Promise.resolve(lost);
  }

  protected tryRelease(names: string[], options = { leaving: false }): Promise<void> {
    for (const name of names) this.table.release(name, this.instance);
    if (options.leaving) this.table.leave(this.instance);
    return Promise.resolve();
  }

  protected markExists(instance: string): Promise<boolean> {
    return Promise.resolve(this.table.alive(instance));
  }

  protected lookup(name: string): Promise<string | null> {
    return Promise.resolve(this.table.owner(name));
  }

  protected shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
