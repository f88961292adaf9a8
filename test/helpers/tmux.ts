/**
 * A real terminal for interactive tests: a detached tmux session running a command; keys are sent with
 * send-keys and the screen is read with capture-pane. Waiting polls the screen until a condition holds
 * or a timeout passes (there is no event to wait for on a terminal screen).
 */
import { execFileSync } from 'node:child_process';
import { testConfigDir } from './config-dir.js';

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let sessions = 0;

export class TmuxSession {
  private constructor(readonly name: string) {}

  static start(command: string[], env: Record<string, string> = {}): TmuxSession {
    const name = `classchat-test-${process.pid}-${++sessions}`;
    const envArgs = Object.entries({ CLASSCHAT_CONFIG_DIR: testConfigDir(), ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', '120', '-y', '30', ...envArgs, ...command]);
    return new TmuxSession(name);
  }

  /** Types text literally (no Enter). */
  type(text: string): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, '-l', text]);
  }

  /** Presses keys by name: Enter, Tab, C-c, Up. */
  press(...keys: string[]): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, ...keys]);
  }

  /**
   * Pastes `text` as a terminal does (newlines as CR), wrapped in bracketed-paste marks when the program
   * asked for them. A buffer of this session's own: other tests paste at the same time.
   */
  paste(text: string): void {
    const buffer = `${this.name}-paste`;
    execFileSync('tmux', ['set-buffer', '-b', buffer, text]);
    execFileSync('tmux', ['paste-buffer', '-p', '-d', '-b', buffer, '-t', this.name]);
  }

  /** The visible screen, one string per line, trailing blanks removed. */
  screen(): string[] {
    const text = execFileSync('tmux', ['capture-pane', '-p', '-t', this.name], { encoding: 'utf8' });
    const lines = text.split('\n').map((l) => l.trimEnd());
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    return lines;
  }

  /** Polls the screen until `check` returns true, or fails after `timeoutMs` showing the screen. */
  async waitFor(check: (lines: string[]) => boolean, what: string, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.screen();
      if (check(lines)) return lines;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${lines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  kill(): void {
    try {
      execFileSync('tmux', ['kill-session', '-t', this.name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
