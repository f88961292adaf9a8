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

  /** `size`: the terminal's columns and rows (120 x 30 unless given; issue #12.1 needs 80 columns). */
  static start(
    command: string[],
    env: Record<string, string> = {},
    size: { width?: number; height?: number } = {},
  ): TmuxSession {
    const name = `classchat-test-${process.pid}-${++sessions}`;
    const envArgs = Object.entries({ CLASSCHAT_CONFIG_DIR: testConfigDir(), ...env }).flatMap(([k, v]) => [
      '-e',
      `${k}=${v}`,
    ]);
    const [width, height] = [size.width ?? 120, size.height ?? 30];
    execFileSync('tmux', [
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(width),
      '-y',
      String(height),
      ...envArgs,
      ...command,
    ]);
    return new TmuxSession(name);
  }

  /**
   * Resizes the terminal, as a user dragging the window's edge does, and resolves once the program can
   * see the new size. tmux rewraps the screen at once but tells the terminal device (and so sends
   * SIGWINCH) a little later; a window emulator does both together.
   */
  async resize(width: number, height?: number): Promise<void> {
    execFileSync('tmux', [
      'resize-window',
      '-t',
      this.name,
      '-x',
      String(width),
      ...(height === undefined ? [] : ['-y', String(height)]),
    ]);
    const tty = execFileSync('tmux', ['display-message', '-p', '-t', this.name, '#{pane_tty}'], {
      encoding: 'utf8',
    }).trim();
    const deadline = Date.now() + 5000;
    while (execFileSync('stty', ['-F', tty, 'size'], { encoding: 'utf8' }).trim().split(' ')[1] !== String(width)) {
      if (Date.now() > deadline) throw new Error(`the terminal device ${tty} did not take the width ${width}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
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

  /** Everything the terminal printed: the scrollback (lines scrolled off the top) and then the screen. */
  history(): string[] {
    const text = execFileSync('tmux', ['capture-pane', '-p', '-S', '-', '-t', this.name], { encoding: 'utf8' });
    return text.split('\n').map((l) => l.trimEnd());
  }

  /** The visible screen with its colours and attributes as escape sequences (capture-pane -e). */
  screenWithEscapes(): string[] {
    return execFileSync('tmux', ['capture-pane', '-p', '-e', '-t', this.name], { encoding: 'utf8' }).split('\n');
  }

  /**
   * Copies everything the program writes from now on into `file`, escape sequences and bells included
   * (tmux pipe-pane), to count what a screen capture cannot show.
   */
  record(file: string): void {
    execFileSync('tmux', ['pipe-pane', '-t', this.name, `cat >> '${file}'`]);
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

/**
 * The `skip` of a test that needs tmux: false where tmux is installed or required (CI sets
 * CLASSCHAT_TEST_REQUIRE_TMUX=1, so a missing tmux fails there), else the reason it is skipped.
 */
export const TMUX_SKIP: string | false =
  !hasTmux() && process.env.CLASSCHAT_TEST_REQUIRE_TMUX !== '1'
    ? 'tmux is not installed (apt-get install tmux); CI installs it'
    : false;
