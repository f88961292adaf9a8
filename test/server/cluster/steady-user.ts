/**
 * A chat user behind a load balancer who keeps sending at a steady pace and does what a real client
 * does when things break (#15): a refused message (`unavailable`, `rate_limited`) is sent again with the
 * same `id`; a lost connection is followed by a new one through the balancer, a `login` with the token
 * and `since` (the highest msgid pushed to it), retried until the name is free again, then the message
 * that was in flight is sent again by its `id`. It keeps what it sent and what it was pushed, on every
 * connection, for the test's checks.
 */
import { TestClient, type Obj } from '../../helpers/client.js';

export interface Sent {
  id: string;
  request: Obj;
  /** The msgid of the ok, once acknowledged. */
  msgid?: number;
  /** Written to a connection that closed before its answer came: sent again by `id` on the next one. */
  lostInFlight?: boolean;
}

export interface Reconnect {
  /** When the connection was found closed (performance.now()). */
  lostAt: number;
  /** When a login on a new connection was answered ok. */
  backAt: number;
  /** Logins refused on the way (name_taken while the old node's name was held, unavailable…). */
  refusals: string[];
}

/** The pace of each user: under the default flood limit (5 a second after a burst of 10). */
const SEND_INTERVAL_MS = 250;
const REPLY_TIMEOUT_MS = 15_000;
/** How long a reconnect may take in all: the registry's 10 s bound, and slack. */
const RECONNECT_DEADLINE_MS = 30_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SteadyUser {
  readonly connections: TestClient[] = [];
  readonly sent: Sent[] = [];
  readonly reconnects: Reconnect[] = [];
  /** Codes of refused sends (to see that an outage was felt). */
  readonly refused: string[] = [];
  private running: Promise<void> | null = null;
  private writeWaiters: (() => void)[] = [];
  private stopping = false;
  private counter = 0;

  private constructor(
    readonly name: string,
    private readonly port: number,
    private readonly nextRequest: (user: SteadyUser, i: number) => Obj,
  ) {}

  static async register(port: number, name: string, nextRequest: (user: SteadyUser, i: number) => Obj) {
    const user = new SteadyUser(name, port, nextRequest);
    user.connections.push(await TestClient.as(port, name));
    return user;
  }

  get client(): TestClient {
    return this.connections.at(-1)!;
  }

  /** Chat messages pushed to this user (not replies), on every connection, in the order received. */
  pushed(): Obj[] {
    return this.connections.flatMap((c) =>
      c.received.filter((m) => (m.status === 'private' || m.status === 'group') && m.ref === undefined),
    );
  }

  acked(): number {
    return this.sent.filter((s) => s.msgid !== undefined).length;
  }

  /** Resolves just after the next request is written (for a test that strikes while it is in flight). */
  nextWrite(): Promise<void> {
    return new Promise((resolve) => this.writeWaiters.push(resolve));
  }

  /** Starts sending; the loop's failure (an unexpected answer) surfaces in stop(). */
  start(): void {
    this.stopping = false;
    this.running = this.loop();
    this.running.catch(() => {});
  }

  /** Stops after the message in hand is acknowledged: nothing sent is left unanswered. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    this.running = null;
  }

  private async loop(): Promise<void> {
    let current: Sent | null = null;
    while (!this.stopping || current !== null) {
      if (current === null) {
        const i = this.counter++;
        current = { id: `${this.name}-m${i}`, request: this.nextRequest(this, i) };
        this.sent.push(current);
      }
      const reply = await this.ask({ ...current.request, id: current.id });
      if (reply === null) {
        if (this.wrote) current.lostInFlight = true;
        await this.reconnect();
        continue;
      }
      if (reply.status === 'ok') {
        current.msgid = reply.msgid as number;
        current = null;
      } else if (reply.code === 'unavailable' || reply.code === 'rate_limited') {
        this.refused.push(reply.code as string);
        if (reply.code === 'rate_limited') await pause(Number(reply.retry_after_ms ?? SEND_INTERVAL_MS));
      } else {
        throw new Error(
          `${this.name}: unexpected answer to ${JSON.stringify(current.request)}: ${JSON.stringify(reply)}`,
        );
      }
      await pause(SEND_INTERVAL_MS);
    }
  }

  /** Whether the last ask() wrote its request (false: the connection was found closed first). */
  private wrote = false;

  /** The reply to `request` on the current connection, or null when the connection closes first. */
  private async ask(request: Obj): Promise<Obj | null> {
    const client = this.client;
    this.wrote = !client.isClosed;
    if (client.isClosed) return null;
    const reply = client.request(request, REPLY_TIMEOUT_MS);
    for (const written of this.writeWaiters.splice(0)) written();
    return Promise.race([reply, client.closed.then(() => null)]);
  }

  /** A new connection through the balancer and a login with `since`, until one is answered ok. */
  private async reconnect(): Promise<void> {
    const lostAt = performance.now();
    const refusals: string[] = [];
    const since = Math.max(0, ...this.pushed().map((m) => m.msgid as number));
    for (;;) {
      if (performance.now() - lostAt > RECONNECT_DEADLINE_MS)
        throw new Error(
          `${this.name} could not log in again within ${RECONNECT_DEADLINE_MS} ms: ${refusals.join(', ')}`,
        );
      let client: TestClient;
      try {
        client = await TestClient.connect(this.port, this.name);
      } catch (err) {
        refusals.push(`connect: ${(err as Error).message}`);
        await pause(100);
        continue;
      }
      // One connection for every attempt: a refused login leaves it open, a closed one is replaced.
      while (!client.isClosed) {
        const reply = await Promise.race([
          client.request({ status: 'login', sender: this.name, token: this.client.token, since }, REPLY_TIMEOUT_MS),
          client.closed.then(() => null),
        ]);
        if (reply === null) break;
        if (reply.status === 'ok') {
          client.token = this.client.token;
          this.connections.push(client);
          this.reconnects.push({ lostAt, backAt: performance.now(), refusals });
          return;
        }
        refusals.push(String(reply.code));
        if (reply.code !== 'name_taken' && reply.code !== 'unavailable')
          throw new Error(`${this.name}: login refused: ${JSON.stringify(reply)}`);
        // name_taken comes after the other node was asked for 3 s; unavailable at once: not a flood.
        if (reply.code === 'unavailable') await pause(100);
      }
      await client.close();
    }
  }
}
