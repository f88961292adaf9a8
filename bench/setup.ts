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
 * Every client is also pushed to `registry` at once, so the caller can close them whatever happens.
 */
export function connectAndRegister(
  port: number,
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

/** Puts every client in `room`: the first creates it, then the others join, `concurrency` at a time. */
export async function joinRoom(clients: LineClient[], room: string, concurrency: number, guard: Guard): Promise<void> {
  let joined = 0;
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
}
