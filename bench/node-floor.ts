/**
 * The floor of Node.js on the peer bench's workloads (issue #16): a relay that does only what no Node
 * chat server can skip. It reads lines from net.Socket, parses each as JSON, writes the event to the
 * receiver and an `ok` to the sender. It stores nothing, checks nothing and has no accounts, limits or
 * group commit. What it costs in server CPU per message, and in memory per idle connection, is what any
 * server built on Node's sockets pays before its own work. docs/performance.md compares it with
 * ClassChat and InspIRCd.
 *
 *   node dist/bench/node-floor.js --port 21000 &
 *   node ../shared/peer-bench/load.mjs --proto classchat --port 21000 --server-pid $! \
 *     --workload direct --pairs 1 --messages 3000 --window 1
 *
 * Or in the peer bench's own harness, with the same workloads and arguments as the servers it compares
 * (it takes `serve` and ignores the options it has no use for, as ClassChat's would be given):
 *
 *   mkdir -p /tmp/floor && echo '{"bin":{"classchat":"'$PWD'/dist/bench/node-floor.js"}}' > /tmp/floor/package.json
 *   SERVERS=classchat CLASSCHAT_DIR=/tmp/floor RAW=/tmp/floor-raw ../shared/peer-bench/run_bench.sh
 *
 * It speaks just enough of ClassChat's protocol for load.mjs: `register` and `join` (answered `ok`
 * with the request's id as `ref`; a room is made by its first `join`), `private` and `group` (the event
 * to the receiver or to every other member, and an `ok` to the sender). Like ClassChat, it holds each socket's output until the end of
 * the event loop's turn and writes it in one call (without that, a write per message costs twice what
 * ClassChat's whole message does at 50 pairs).
 *
 * For the idle workload it is as lean as Node allows: one small object per socket, listeners shared by
 * every socket (a closure each would be counted too), and ClassChat's own idle collection
 * (src/server/idle-collection.ts), which gives back the sign-ups' garbage once the server is quiet.
 * Loopback only; it is a measuring tool, not a server.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { IdleCollection, memoryReducingGc, noteActivity } from '../src/server/idle-collection.js';

// Not strict: the peer bench starts it as it starts ClassChat, with `serve` and options for limits.
const { values } = parseArgs({
  options: { port: { type: 'string' }, 'no-ack': { type: 'boolean' } },
  strict: false,
  allowPositionals: true,
});
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: node dist/bench/node-floor.js --port N [--no-ack]\n');
  process.exit(2);
}
/** Without the sender's `ok` (what an IRC server sends): one socket write per message instead of two. */
const ack = values['no-ack'] !== true;
const TS = new Date().toISOString();
const byName = new Map<string, net.Socket>();
let msgid = 0;
/** Output held until the end of this turn of the event loop, per socket: one write each. */
const held = new Map<net.Socket, string>();

/** Each room's members, in the order they joined. */
const rooms = new Map<string, net.Socket[]>();

/** What the relay knows of a socket: its user's name and the start of a line not yet ended. */
interface Peer {
  name: string;
  rest: string;
}
const PEER = Symbol('peer');
type PeerSocket = net.Socket & { [PEER]: Peer };

function send(socket: net.Socket, line: string): void {
  const before = held.get(socket);
  if (before === undefined && held.size === 0) setImmediate(flush);
  held.set(socket, before === undefined ? line : before + line);
}

function flush(): void {
  for (const [socket, output] of held) socket.write(output);
  held.clear();
}

function handle(socket: net.Socket, peer: Peer, line: string): void {
  const request = JSON.parse(line) as {
    status: string;
    id?: string;
    sender?: string;
    receiver?: string;
    text?: string;
  };
  const { status, receiver } = request;
  if (status === 'register' && request.sender) {
    peer.name = request.sender;
    byName.set(peer.name, socket);
    send(socket, `{"status":"ok","ref":${JSON.stringify(request.id ?? null)}}\n`);
  } else if (status === 'join' && receiver) {
    const members = rooms.get(receiver);
    if (members) members.push(socket);
    else rooms.set(receiver, [socket]);
    send(socket, `{"status":"ok","ref":${JSON.stringify(request.id ?? null)}}\n`);
  } else if ((status === 'private' || status === 'group') && receiver) {
    const id = ++msgid;
    const event = `{"status":"${status}","sender":"${peer.name}","receiver":"${receiver}","text":${JSON.stringify(request.text)},"msgid":${id},"seq":${id},"ts":"${TS}"}\n`;
    if (status === 'private') {
      const to = byName.get(receiver);
      if (to) send(to, event);
    } else {
      for (const member of rooms.get(receiver) ?? []) if (member !== socket) send(member, event);
    }
    if (ack) send(socket, `{"status":"ok","msgid":${id},"seq":${id},"ts":"${TS}","receiver":"${receiver}"}\n`);
  }
}

/** Shared by every socket (Node calls it with the socket as `this`). The bench sends ASCII only. */
function onData(this: PeerSocket, chunk: Buffer): void {
  noteActivity();
  const peer = this[PEER];
  let rest = peer.rest + chunk.toString('latin1');
  let newline: number;
  while ((newline = rest.indexOf('\n')) !== -1) {
    handle(this, peer, rest.slice(0, newline));
    rest = rest.slice(newline + 1);
  }
  peer.rest = rest;
}

function onError(this: net.Socket): void {
  this.destroy();
}

function onClose(this: PeerSocket): void {
  const { name } = this[PEER];
  if (byName.get(name) === this) byName.delete(name);
  for (const members of rooms.values()) {
    const at = members.indexOf(this);
    if (at !== -1) members.splice(at, 1);
  }
}

// Start from a clean heap, as ClassChat does after its warm-up: otherwise the start-up's garbage, given
// back by the first idle collection, would be subtracted from what the connections cost.
memoryReducingGc(() => {
  new IdleCollection(pino({ level: 'silent' }));
  net
    .createServer((socket) => {
      noteActivity();
      socket.setNoDelay(true);
      (socket as PeerSocket)[PEER] = { name: '', rest: '' };
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
    })
    .listen(port, '127.0.0.1');
});
