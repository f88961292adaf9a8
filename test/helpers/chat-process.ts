/**
 * The real terminal client as a child process with piped stdin/stdout (script mode): type lines,
 * wait (with a timeout) for output lines matching a pattern.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { after, afterEach, before } from 'node:test';
import { testConfigDir } from './config-dir.js';
import { CLI, startServer, type StartOptions, type TestServer } from './server.js';

const DEFAULT_TIMEOUT_MS = 5000;

export class ChatProcess {
  readonly lines: string[] = [];
  private buffer = '';
  private readonly waiters: { pattern: RegExp; from: number; resolve: (line: string) => void }[] = [];
  readonly exited: Promise<number | null>;
  stderr = '';

  private constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.onData(chunk));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /**
   * `cwd`: where the client runs (where /get saves by default); the test's own directory if not given.
   * `cli`: the classchat script to run; the repository's build if not given (another for an installed copy).
   */
  static start(port: number, args: string[] = [], env: NodeJS.ProcessEnv = {}, cwd?: string, cli = CLI): ChatProcess {
    const child = spawn(process.execPath, [cli, 'chat', '--port', String(port), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd,
      env: { ...process.env, CLASSCHAT_CONFIG_DIR: testConfigDir(), ...env },
    });
    return new ChatProcess(child);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) !== -1) {
      this.lines.push(this.buffer.slice(0, newline));
      this.buffer = this.buffer.slice(newline + 1);
    }
    for (const waiter of [...this.waiters]) {
      // Only the lines this waiter has not looked at yet: rescanning all of them on every chunk was
      // quadratic, and minutes of CPU for a client that printed thousands of 16 KB messages.
      const hit = this.lines.slice(waiter.from).find((l) => waiter.pattern.test(l));
      waiter.from = this.lines.length;
      if (hit !== undefined) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(hit);
      }
    }
  }

  type(...lines: string[]): void {
    for (const line of lines) this.child.stdin!.write(line + '\n');
  }

  /** Ends input, as a script's stdin ends. */
  endInput(): void {
    this.child.stdin!.end();
  }

  /** The first output line (from line index `from` on) matching `pattern`. */
  waitFor(pattern: RegExp, from = 0, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const hit = this.lines.slice(from).find((l) => pattern.test(l));
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const waiter = { pattern, from, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${pattern}; last output:\n${this.lines
              .slice(-40)
              .map((l) => l.slice(0, 300))
              .join('\n')}\nstderr: ${this.stderr}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Waits for the process to exit and resolves with its code. */
  async exit(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<number | null> {
    let timer!: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`client did not exit; output:\n${this.lines.join('\n')}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * A test file's server and the client processes its tests start: the server starts before the first
 * test and stops after the last; what a test started is killed after it. `chat` starts a client
 * against the server; `track` takes one started otherwise (against another port) for the same clean-up.
 */
export function chatProcessesAgainstOneServer(options: StartOptions = {}) {
  let server: TestServer | undefined;
  const running: ChatProcess[] = [];
  before(async () => (server = await startServer(options)));
  after(() => server?.stop());
  afterEach(() => {
    for (const p of running.splice(0)) p.kill();
  });
  const track = (p: ChatProcess): ChatProcess => {
    running.push(p);
    return p;
  };
  return {
    get server(): TestServer {
      if (!server) throw new Error('the server starts in before(): use it inside a test');
      return server;
    },
    chat: (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): ChatProcess =>
      track(ChatProcess.start(server!.port, args, env, cwd)),
    track,
  };
}
