/**
 * Names across nodes (#15, docs/scaling.md point 4): a name is online on one node at a time. A node
 * claims a name in the registry before its session goes online; a register of a name another node holds
 * is `name_taken`; a login asks the holder (over the bus) to close its session with `replaced`, which
 * releases the name there, and claims again. A name the registry reports lost closes its session here.
 */
import type { Logger } from 'pino';
import { ChatError } from '../../protocol/errors.js';
import type { Bus } from '../bus/bus.js';
import type { NameRegistry } from '../bus/name-registry.js';
import type { Chat, ClusterNames } from '../chat/chat.js';

export const NAMES_TOPIC = 'names';
/** How long a login waits for another node to close the session it replaces. */
const REPLACE_WAIT_MS = 3000;
const REPLACE_RETRY_MS = 25;

/** "Close your session of `key`": sent to the node `to` by the node where the name logs in. */
interface ReplaceRequest {
  to: string;
  key: string;
}

export class RegistryNames implements ClusterNames {
  private stopLost: () => void = () => {};

  private constructor(
    private readonly chat: Chat,
    private readonly bus: Bus,
    private readonly registry: NameRegistry,
    private readonly log: Logger,
  ) {}

  static async start(chat: Chat, bus: Bus, registry: NameRegistry, log: Logger): Promise<RegistryNames> {
    const names = new RegistryNames(chat, bus, registry, log);
    await bus.subscribe(NAMES_TOPIC, names.onRequest);
    names.stopLost = registry.onLost((key) =>
      chat.presence.byName(key)?.close('replaced', 'your name was taken on another server while this one was cut off'),
    );
    chat.names = names;
    return names;
  }

  async claim(key: string, name: string, replace: boolean): Promise<void> {
    const deadline = Date.now() + REPLACE_WAIT_MS;
    let asked = false;
    for (;;) {
      const answer = await this.registry.claim(key);
      if (answer === true) return;
      if (!replace) throw new ChatError('name_taken', `${name} is in use; choose another name`);
      if (!asked) {
        const request: ReplaceRequest = { to: answer, key };
        this.bus.publish(NAMES_TOPIC, Buffer.from(JSON.stringify(request)));
        asked = true;
      }
      if (Date.now() > deadline)
        throw new ChatError('name_taken', `${name} is still in use on another server; try again`);
      await new Promise((resolve) => setTimeout(resolve, REPLACE_RETRY_MS));
    }
  }

  release(key: string): void {
    this.registry.release(key).catch((err: unknown) => this.log.warn({ err, key }, 'cluster: releasing a name failed'));
  }

  stop(): void {
    this.stopLost();
    this.bus.unsubscribe(NAMES_TOPIC, this.onRequest);
    this.chat.names = null;
  }

  private readonly onRequest = (payload: Buffer): void => {
    const request = JSON.parse(payload.toString()) as ReplaceRequest;
    if (request.to !== this.bus.nodeId) return;
    const session = this.chat.presence.byName(request.key);
    if (session) session.close('replaced', `${session.name} logged in on another server; this connection is closed`);
    // Not online here (any more): make sure the registry does not keep it for this node.
    else this.release(request.key);
  };
}
