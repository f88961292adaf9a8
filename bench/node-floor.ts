/**
 * The floor of Node.js on the peer bench's direct workloads (issue #16): a relay that does only what no
 * Node chat server can skip. It reads lines from net.Socket, parses each as JSON, writes the event to
 * the receiver and an `ok` to the sender. It stores nothing, checks nothing and has no accounts, limits
 * or group commit. What this costs in server CPU per message is what any server built on Node's sockets
 * pays before its own work. docs/performance.md compares it with ClassChat and InspIRCd.
 *
 *   node dist/bench/node-floor.js --port 21000 &
 *   node ../shared/peer-bench/load.mjs --proto classchat --port 21000 --server-pid $! \
 *     --workload direct --pairs 1 --messages 3000 --window 1
 *
 * It speaks just enough of ClassChat's protocol for load.mjs: `register` (answered `ok` with the
 * request's id as `ref`) and `private`. Like ClassChat, it holds each socket's output until the end of
 * the event loop's turn and writes it in one call (without that, a write per message costs twice what
 * ClassChat's whole message does at 50 pairs). Loopback only; it is a measuring tool, not a server.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'no-ack': { type: 'boolean' } } });
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

function send(socket: net.Socket, line: string): void {
  const before = held.get(socket);
  if (before === undefined && held.size === 0) setImmediate(flush);
  held.set(socket, before === undefined ? line : before + line);
}

function flush(): void {
  for (const [socket, output] of held) socket.write(output);
  held.clear();
}

net
  .createServer((socket) => {
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    let name = '';
    let rest = '';
    socket.on('data', (chunk: string) => {
      rest += chunk;
      let newline: number;
      while ((newline = rest.indexOf('\n')) !== -1) {
        const line = rest.slice(0, newline);
        rest = rest.slice(newline + 1);
        const request = JSON.parse(line) as {
          status: string;
          id?: string;
          sender?: string;
          receiver?: string;
          text?: string;
        };
        if (request.status === 'register' && request.sender) {
          name = request.sender;
          byName.set(name, socket);
          send(socket, `{"status":"ok","ref":${JSON.stringify(request.id ?? null)}}\n`);
        } else if (request.status === 'private' && request.receiver) {
          const id = ++msgid;
          const to = byName.get(request.receiver);
          if (to)
            send(
              to,
              `{"status":"private","sender":"${name}","receiver":"${request.receiver}","text":${JSON.stringify(request.text)},"msgid":${id},"seq":${id},"ts":"${TS}"}\n`,
            );
          if (ack)
            send(socket, `{"status":"ok","msgid":${id},"seq":${id},"ts":"${TS}","receiver":"${request.receiver}"}\n`);
        }
      }
    });
  })
  .listen(port, '127.0.0.1');
