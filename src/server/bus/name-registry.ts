/**
 * The cluster-wide name registry (issue #15): a name is online on one node at a time. A node claims a
 * name before its session goes online and releases it when the session ends; a second node's claim gets
 * the owner's node id back (to answer `name_taken`, or to ask that node to replace its session).
 *
 * Bound on a dead node: every registry instance keeps one liveness mark in the backend, refreshed every
 * `heartbeatMs` and gone `ttlMs` after the last refresh; a name whose owner's mark is gone is free (the
 * next claim takes it). The last refresh of a node killed with -9 came at most `heartbeatMs` before the
 * kill, so its names are free between `ttlMs - heartbeatMs` and `ttlMs` after it: 7 to 10 s by default.
 * A living node's names never are: it refreshes `ttlMs / heartbeatMs` times per lifetime of its mark, so
 * it must miss several heartbeats in a row (Redis unreachable, or its event loop blocked for that long).
 *
 * Losing the backend's state (a Redis restart without persistence) would free every name: the registry
 * keeps the names it holds, notices its mark was gone at the next heartbeat or claim, and claims them
 * again; a name some other node took meanwhile is reported through `onLost` (its session must end).
 *
 * A claim is made by a registry instance, not just by a node id (`instance` below): a node restarted under
 * the same id does not inherit the names its previous process left behind, it waits out their bound.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';

export interface RegistryTiming {
  /** How long a registry's liveness mark lasts after its last refresh: the bound on a dead node's names. */
  ttlMs: number;
  /** How often the mark is refreshed; well under `ttlMs`, so a late heartbeat or two costs nothing. */
  heartbeatMs: number;
}

/** 10 s to free a dead node's names; a heartbeat every 3 s survives two lost ones. */
export const DEFAULT_REGISTRY_TIMING: RegistryTiming = { ttlMs: 10_000, heartbeatMs: 3_000 };

export interface NameRegistry {
  readonly nodeId: string;
  /** This registry's identity in the backend (`<nodeId>#<random>`): what `alive()` asks about. */
  readonly instance: string;
  /** Takes `name` for this node: true, or the node id that holds it (this node's id when held here by another instance). */
  claim(name: string): Promise<true | string>;
  /** Frees `name` if this registry holds it; does nothing otherwise. */
  release(name: string): Promise<void>;
  /** The node holding `name`, or null when it is free (held by a dead node counts as free). */
  owner(name: string): Promise<string | null>;
  /** Whether the registry `instance`'s liveness mark is there: it refreshed it within the TTL. */
  alive(instance: string): Promise<boolean>;
  /**
   * How long the backend has been answering without a break (0 while it cannot be reached). Right after
   * an outage the other nodes have not re-marked themselves yet: their marks say nothing for a while.
   */
  answeringForMs(): number;
  /** Calls `listener` for a name this node held and another node took while the backend had forgotten it. */
  onLost(listener: (name: string, owner: string) => void): () => void;
  /**
   * Stops the heartbeat and closes the backend. Unless `keepNames`, frees this node's names first; with
   * it, leaves them as a killed node would (freed after the TTL).
   */
  close(options?: { keepNames?: boolean }): Promise<void>;
}

/** A registry over a backend: the held names, the heartbeat, re-assertion. The backend stores. */
export abstract class BaseNameRegistry implements NameRegistry {
  /** This registry's identity in the backend: `<nodeId>#<random>`. */
  readonly instance: string;
  /** Since when (performance.now()) the backend has answered without a break; null while it does not. */
  private answeringSince: number | null = null;
  protected readonly timing: RegistryTiming;
  private readonly held = new Set<string>();
  /** Claims sent and not yet answered: a release of one of these waits for it (see release()). */
  private readonly claiming = new Map<string, Promise<unknown>>();
  /** Released here while the backend could not be told: freed there at a later heartbeat. */
  private readonly unreleased = new Set<string>();
  private readonly lostListeners = new Set<(name: string, owner: string) => void>();
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private closed = false;

  constructor(
    readonly nodeId: string,
    protected readonly log: Logger,
    timing: Partial<RegistryTiming> = {},
  ) {
    if (nodeId === '') throw new Error('a name registry needs a node id');
    this.timing = { ...DEFAULT_REGISTRY_TIMING, ...timing };
    if (!(this.timing.heartbeatMs > 0 && this.timing.heartbeatMs < this.timing.ttlMs)) {
      throw new Error('the heartbeat must come more often than the TTL');
    }
    this.instance = `${nodeId}#${randomBytes(4).toString('hex')}`;
  }

  /** Starts the heartbeat (the first beat at once). Call once, after the backend can run commands. */
  protected start(): void {
    this.heartbeat();
    // Not unref'd: a registry is open until close(), like the sockets of its backend.
    this.timer = setInterval(this.heartbeat, this.timing.heartbeatMs);
  }

  async claim(name: string): Promise<true | string> {
    if (this.closed) throw new Error('claim on a closed name registry');
    // Before the claim is sent: a leftover release sent after it would free the name it takes again.
    this.unreleased.delete(name);
    const attempt = this.tryClaim(name);
    this.claiming.set(name, attempt);
    let answer: Awaited<typeof attempt>;
    try {
      answer = await attempt;
    } finally {
      if (this.claiming.get(name) === attempt) this.claiming.delete(name);
    }
    const { owner, wasAlive } = answer;
    if (owner !== this.instance) return nodeOf(owner);
    this.held.add(name);
    if (!wasAlive) await this.reassert();
    return true;
  }

  async release(name: string): Promise<void> {
    // A release right behind its claim (a client that logs in and drops at once) waits for the claim's
    // answer: else the claim, landing after it, would leave the name held by this live node for good.
    const pending = this.claiming.get(name);
    if (pending) await pending.catch(() => {});
    if (!this.held.delete(name)) return;
    try {
      await this.tryRelease([name]);
    } catch (err) {
      // Left as it is, the name would stay this live node's for good: retried at each heartbeat.
      this.unreleased.add(name);
      this.log.warn({ err, node: this.nodeId, name }, 'name registry: release failed; retrying at the next heartbeat');
    }
  }

  async owner(name: string): Promise<string | null> {
    const owner = await this.lookup(name);
    return owner === null ? null : nodeOf(owner);
  }

  alive(instance: string): Promise<boolean> {
    return this.markExists(instance);
  }

  answeringForMs(): number {
    return this.answeringSince === null ? 0 : performance.now() - this.answeringSince;
  }

  onLost(listener: (name: string, owner: string) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  async close(options: { keepNames?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    if (!options.keepNames) {
      try {
        await this.tryRelease([...this.held, ...this.unreleased], { leaving: true });
      } catch (err) {
        // Not fatal: the names are freed by the TTL instead.
        this.log.warn({ err, node: this.nodeId, names: this.held.size }, 'name registry: releasing at close failed');
      }
    }
    this.held.clear();
    this.unreleased.clear();
    await this.shutdown();
  }

  /** The backend is reachable again after an outage: refresh now rather than at the next interval. */
  protected reconnected(): void {
    this.heartbeat();
  }

  /** The backend's connection is up (at start, and after an outage). */
  protected answering(): void {
    this.answeringSince ??= performance.now();
  }

  /** The backend's connection dropped, or a heartbeat failed. */
  protected notAnswering(): void {
    this.answeringSince = null;
  }

  private readonly heartbeat = (): void => {
    if (this.closed || this.beating) return;
    this.beating = this.beat()
      .then((wasAlive) => {
        this.answering();
        return wasAlive ? undefined : this.reassert();
      })
      .then(() => this.releaseLeftovers())
      .catch((err: unknown) => {
        this.notAnswering();
        this.log.warn({ err, node: this.nodeId }, 'name registry: heartbeat failed; names stay until the TTL');
      })
      .finally(() => {
        this.beating = null;
      });
  };

  private async releaseLeftovers(): Promise<void> {
    if (this.unreleased.size === 0) return;
    const names = [...this.unreleased];
    await this.tryRelease(names);
    for (const name of names) this.unreleased.delete(name);
  }

  /** This registry's mark was gone (expired or wiped): claims its names again, reports those taken. */
  private async reassert(): Promise<void> {
    if (this.held.size === 0) return;
    const lost = await this.reclaim([...this.held]);
    for (const [name, owner] of lost) {
      if (!this.held.delete(name)) continue;
      this.log.warn(
        { node: this.nodeId, name, owner: nodeOf(owner) },
        'name registry: a held name was taken meanwhile',
      );
      for (const listener of [...this.lostListeners]) listener(name, nodeOf(owner));
    }
    if (lost.length === 0)
      this.log.info({ node: this.nodeId, names: this.held.size }, 'name registry: names re-asserted');
  }

  /** Refreshes this instance's mark for `ttlMs`; resolves whether it was still there. */
  protected abstract beat(): Promise<boolean>;
  /** Sets the owner of `name` to this instance if it is free or its owner is dead; the owner after, and `beat()`'s answer. */
  protected abstract tryClaim(name: string): Promise<{ owner: string; wasAlive: boolean }>;
  /** Claims each name as `tryClaim` would (and refreshes the mark); the names another live instance holds, with it. */
  protected abstract reclaim(names: string[]): Promise<[string, string][]>;
  /** Frees the names this instance holds among `names`; `leaving` also removes the mark. */
  protected abstract tryRelease(names: string[], options?: { leaving: boolean }): Promise<void>;
  /** Whether `instance`'s liveness mark is there. */
  protected abstract markExists(instance: string): Promise<boolean>;
  /** The live instance holding `name`, or null. */
  protected abstract lookup(name: string): Promise<string | null>;
  /** Releases the backend's sockets and timers. */
  protected abstract shutdown(): Promise<void>;
}

/** The node id of an instance `<nodeId>#<random>`. */
export function nodeOf(instance: string): string {
  const at = instance.lastIndexOf('#');
  return at === -1 ? instance : instance.slice(0, at);
}
