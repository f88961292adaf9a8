/**
 * The probe thread (started by ProbeThread, probe-thread.ts): the bystander and the real user run
 * here, in an event loop of their own. Beside the attacks they timed the soak as well as the server:
 * the `memory` attack builds and sends 60 KB lines, and a ping answered while that loop was busy read
 * 69 ms for a server at 33% CPU. Here only the server's delay (and the machine's) counts.
 *
 * Messages: the main thread asks `window` (figures since the last ask); this thread answers `window`
 * and tells `prompt` when a real-user login succeeded within the bound. It ends when the main thread
 * terminates it (its sockets close with it) or exits.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Bystander, RealUser, type LoginWindow, type PingWindow } from './probes.js';

/** What the probe thread needs to log in; passed as `workerData`. */
export interface ProbeSetup {
  port: number;
  bystander: { name: string; token: string };
  realUser: { name: string; password: string };
  /** A login within this many ms counts as prompt (the login bound). */
  promptMs: number;
}

/** Main thread to probe thread. */
export type ToProbes = { type: 'window'; id: number };

/**
 * Probe thread to main thread. `startedAt` is an epoch time in ms (timeOrigin + now): each thread's
 * performance.now() counts from its own start, so a bare one means nothing on the other side.
 */
export type FromProbes =
  { type: 'window'; id: number; ping: PingWindow; login: LoginWindow } | { type: 'prompt'; startedAt: number };

const port = parentPort;
if (!port) throw new Error('probe-worker.js runs only as a worker thread (see probe-thread.ts)');
const setup = workerData as ProbeSetup;
const send = (message: FromProbes) => port.postMessage(message);

const bystander = new Bystander(setup.port, setup.bystander.name, setup.bystander.token);
const realUser = new RealUser(setup.port, setup.realUser.name, setup.realUser.password, setup.promptMs, (startedAt) =>
  send({ type: 'prompt', startedAt: performance.timeOrigin + startedAt }),
);

port.on('message', (message: ToProbes) => {
  if (message.type === 'window')
    send({ type: 'window', id: message.id, ping: bystander.takeWindow(), login: realUser.takeWindow() });
});
bystander.start();
realUser.start();
