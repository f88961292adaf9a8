/**
 * The local bus (issue #15): the default, one node in one process. It has no backend: `BaseBus` already
 * delivers every publish to this process's subscribers, so nothing is sent anywhere and nothing is lost.
 *
 * A `LocalHub` joins several local buses of one process into a pretend cluster, for tests of multi-node
 * logic without Redis (and for `busSuite()` on the local bus). It hands a message to the other buses in a
 * later microtask, like a network would (never inside the publisher's call), in publish order.
 */
import type { Logger } from 'pino';
import { BaseBus } from './bus.js';

export class LocalBus extends BaseBus {
  constructor(
    nodeId: string,
    log: Logger,
    private readonly hub: LocalHub | null = null,
  ) {
    super(nodeId, log);
    hub?.join(this);
  }

  /** The hub hands over another bus's message (ignored once this bus is closed). */
  fromHub(topic: string, payload: Buffer, fromNode: string): void {
    this.receive(topic, payload, fromNode);
  }

  protected send(topic: string, payload: Buffer): void {
    this.hub?.send(this, topic, payload);
  }

  protected listen(): Promise<void> {
    return Promise.resolve();
  }

  protected listening(): Promise<void> {
    return Promise.resolve();
  }

  protected unlisten(): void {}

  protected shutdown(): Promise<void> {
    this.hub?.leave(this);
    return Promise.resolve();
  }
}

/** Several `LocalBus`es of one process acting as one cluster (tests). */
export class LocalHub {
  private readonly buses = new Set<LocalBus>();

  join(bus: LocalBus): void {
    this.buses.add(bus);
  }

  leave(bus: LocalBus): void {
    this.buses.delete(bus);
  }

  send(from: LocalBus, topic: string, payload: Buffer): void {
    // One microtask per message: microtasks run in the order queued, so each publisher's order holds.
    const targets = [...this.buses].filter((bus) => bus !== from);
    queueMicrotask(() => {
      for (const bus of targets) bus.fromHub(topic, payload, from.nodeId);
    });
  }
}
