/**
 * Getting clients ready before a measurement: connect and register N clients with a bounded number in
 * flight, and put them in one room (the first creates it, the others join). Setup traffic is small, so
 * replies are simply JSON-parsed; the join events every member gets are skipped unparsed.
 */
import { LineClient, type LineHandler, type Transport } from './client.js';
import type { Guard } from './guard.js';
import { Kind, kindOf, req } from './wire.js';

export interface Reply {
  status?: string;
  ref?: string;
  code?: string;
  text?: string;
}

function parse(data: string, start: number, end: number): Reply | string {
  const line = data.slice(start, end);
  try {
    return JSON.parse(line) as Reply;
  } catch {
    return line;
  }
}

/** A short, printable form of a received line for error messages. */
export function show(line: unknown): string {
  return (typeof line === 'string' ? line : JSON.stringify(line)).slice(0, 200);
}

/**
 * Opens and registers one client per name (`u<index>` if none given), at most `concurrency` at a time.
 * Client i goes to ports[i % ports.length]: with several nodes, neighbours (a direct pair, senders and
 * the room's other members) sit on different nodes, so their messages cross the bus.
 * Every client is also pushed to `registry` at once, so the caller can close them whatever happens.
 */
export function connectAndRegister(
  ports: readonly number[],
  count: number,
  concurrency: number,
  guard: Guard,
  registry: LineClient[],
  transport: Transport = 'tcp',
): Promise<LineClient[]> {
  const clients: LineClient[] = [];
  let registered = 0;
  guard.phase = 'register';
  guard.progress = () => registered;
  guard.status = () => `${registered}/${count} registered, ${clients.length} connecting or connected`;
  guard.touch();
  const done = new Promise<LineClient[]>((resolve, reject) => {
    if (count === 0) return resolve(clients);
    const onLine: LineHandler = (client, data, start, end) => {
      if (kindOf(data, start) === Kind.System) return;
      const reply = parse(data, start, end);
      if (typeof reply === 'object' && reply.ref === 'r' && reply.status === 'ok') {
        registered++;
        if (registered === count) resolve(clients);
        else launch();
        return;
      }
      reject(new Error(`${client.name}: unexpected reply during registration: ${show(reply)}`));
    };
    const launch = () => {
      while (clients.length - registered < concurrency && clients.length < count) {
        const id = clients.length;
        const port = ports[id % ports.length]!;
        const client = new LineClient(id, `u${id}`, port, (c) => c.write(req.register(c.name)), transport);
        client.handler = onLine;
        client.onUnexpectedClose = (c) =>
          reject(new Error(`${c.name}: ${c.closeReason} during registration (${registered} of ${count} registered)`));
        clients.push(client);
        registry.push(client);
      }
    };
    launch();
  });
  return guard.wait(done);
}

/** How long a join answered no_such_room waits before it is sent again, and how often at most. */
const JOIN_RETRY_MS = 50;
const JOIN_RETRIES = 40;

/**
 * Puts every client in `room`: the first creates it, then the others join, `concurrency` at a time.
 * With several nodes, a node learns of a room made on another one from the bus, a moment after the
 * creator's ok: a join it answers no_such_room meanwhile is sent again shortly (up to 2 s). Resolves
 * with the number of joins that had to be sent again (0 on one node).
 */
export async function joinRoom(
  clients: LineClient[],
  room: string,
  concurrency: number,
  guard: Guard,
): Promise<number> {
  let joined = 0;
  let retried = 0;
  const tries = new Map<LineClient, number>();
  guard.phase = 'join';
  guard.progress = () => joined;
  guard.status = () => `${joined}/${clients.length} in the room`;
  guard.touch();
  const done = new Promise<void>((resolve, reject) => {
    let next = 1;
    const onLine: LineHandler = (client, data, start, end) => {
      if (kindOf(data, start) === Kind.System) return;
      const reply = parse(data, start, end);
      if (typeof reply === 'object' && (reply.ref === 'c' || reply.ref === 'j') && reply.status === 'ok') {
        joined++;
        if (joined === clients.length) resolve();
        else launch();
        return;
      }
      const tried = tries.get(client) ?? 0;
      if (typeof reply === 'object' && reply.ref === 'j' && reply.code === 'no_such_room' && tried < JOIN_RETRIES) {
        if (tried === 0) retried++;
        tries.set(client, tried + 1);
        setTimeout(() => client.write(req.join(room)), JOIN_RETRY_MS);
        return;
      }
      reject(new Error(`${client.name}: unexpected reply while joining ${room}: ${show(reply)}`));
    };
    const launch = () => {
      while (next < clients.length && next - joined < concurrency) clients[next++]!.write(req.join(room));
    };
    for (const client of clients) {
      client.handler = onLine;
      client.onUnexpectedClose = (c) => reject(new Error(`${c.name}: ${c.closeReason} while joining`));
    }
    // The creator's ok comes first: joins start only after it (launch runs from its reply).
    clients[0]!.write(req.create(room));
  });
  await guard.wait(done);
  return retried;
}
