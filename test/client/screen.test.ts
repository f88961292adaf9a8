// The interactive screen's redraw in a real 80-column terminal (tmux), issue #12.1: messages that
// arrive while a half-typed line wraps over several rows are each printed once above it (on the screen
// and in the scrollback), the typed text stays whole below them with the cursor where it was, also
// with wide characters and after the terminal is resized. Skipped, with the reason, where tmux is
// not installed; CI installs it and requires it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../helpers/client.js';
import { CLI, startServer, type TestServer } from '../helpers/server.js';
import { TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

const skip = TMUX_SKIP;

let server: TestServer;
before(async () => {
  if (!skip) server = await startServer();
});
after(() => server?.stop());

const PROMPT = '[everyone]> ';

/** `n` characters without spaces (a trimmed row end cannot eat one), easy to tell apart by position. */
function typedText(n: number): string {
  let text = '';
  for (let i = 0; text.length < n; i++) text += `w${i}-`;
  return text.slice(0, n);
}

/** The rows below the last row holding `marker`, joined: the prompt and the input as the terminal wrapped them. */
function rowsBelow(lines: string[], marker: string): string | null {
  for (let row = lines.length - 1; row >= 0; row--)
    if (lines[row]!.includes(marker)) return lines.slice(row + 1).join('');
  return null;
}

/**
 * All `messages` on the screen, in order, each once, and the prompt with `input` whole just below the
 * last (below the status line `status`, when there is one).
 */
function intact(lines: string[], messages: string[], input: string, status = ''): boolean {
  const rows = messages.map((m) => lines.findIndex((l) => l.endsWith(`<Ursa> ${m}`)));
  if (rows.some((r) => r === -1) || rows.some((r, i) => i > 0 && r <= rows[i - 1]!)) return false;
  if (messages.some((m) => lines.filter((l) => l.endsWith(`<Ursa> ${m}`)).length !== 1)) return false;
  const last = rows.at(-1)!;
  if (status !== '' && lines[last + 1] !== status) return false;
  return lines.slice(last + (status === '' ? 1 : 2)).join('') === PROMPT + input;
}

/** Each message exactly once in everything the terminal printed, and no stale copy of the prompt. */
function assertHistory(term: TmuxSession, messages: string[]): void {
  const history = term.history();
  for (const m of messages)
    assert.equal(
      history.filter((l) => l.endsWith(`<Ursa> ${m}`)).length,
      1,
      `"${m}" once in the scrollback:\n${history.join('\n')}`,
    );
  assert.equal(
    history.filter((l) => l.includes('[everyone]>')).length,
    1,
    `one prompt, no stale copy of it:\n${history.join('\n')}`,
  );
  assert.ok(
    history.filter((l) => l.startsWith('Act:')).length <= 1,
    `at most the one status line:\n${history.join('\n')}`,
  );
}

test(
  '#12.1 messages arriving while a typed line wraps over several rows are all shown above it, once, and the line stays whole',
  { skip },
  async () => {
    const term = TmuxSession.start(
      [process.execPath, CLI, 'chat', '--port', String(server.port), '--user', 'Tom'],
      { NO_COLOR: '1' },
      { width: 80, height: 40 },
    );
    const ursa = await TestClient.as(server.port, 'Ursa');
    const shown: string[] = [];
    // To the current conversation (everyone): a message elsewhere also adds a status line (issue #12.6), tried at the end.
    const send = async (...texts: string[]) => {
      for (const text of texts) {
        await ursa.ok({ status: 'broadcast', text });
        shown.push(text);
      }
    };
    try {
      await term.waitFor((l) => l.at(-1) === PROMPT.trimEnd(), 'the prompt');

      // 100 characters: the prompt and the input take two rows.
      let input = typedText(100);
      term.type(input);
      await term.waitFor((l) => rowsBelow(l, 'welcome') === PROMPT + input, 'the typed text over two rows');
      await send('first of three', 'second of three', 'third of three');
      await term.waitFor((l) => intact(l, shown, input), 'three messages above the whole two-row input');
      assertHistory(term, shown);

      // 200+ characters with wide ones, the cursor moved back into the middle row.
      const more = typedText(120).replace(/w1\d-/g, '漢字');
      term.type(more);
      input += more;
      await term.waitFor((l) => rowsBelow(l, shown.at(-1)!) === PROMPT + input, 'the input over three rows');
      term.press('-N', '90', 'Left');
      await send('fourth, cursor in the middle', 'fifth', 'sixth');
      await term.waitFor((l) => intact(l, shown, input), 'three more messages above the whole three-row input');
      // The cursor is still where it was: what is typed now goes there.
      term.type('^');
      const cut = [...input].length - 90;
      input = [...input].slice(0, cut).join('') + '^' + [...input].slice(cut).join('');
      await term.waitFor((l) => intact(l, shown, input), 'a character typed at the cursor');
      assertHistory(term, shown);

      // A narrower terminal: the input now takes more rows, and a message still lands above all of them.
      await term.resize(60);
      await term.waitFor((l) => rowsBelow(l, shown.at(-1)!) === PROMPT + input, 'the input redrawn at 60 columns');
      await send('after narrowing');
      await term.waitFor((l) => intact(l, shown, input), 'a message above the input at 60 columns');
      // And wider again.
      await term.resize(100);
      await term.waitFor((l) => rowsBelow(l, shown.at(-1)!) === PROMPT + input, 'the input redrawn at 100 columns');
      await send('after widening');
      await term.waitFor((l) => intact(l, shown, input), 'a message above the input at 100 columns');
      assertHistory(term, shown);

      // With the status line above the prompt (a private message counted as unread), still in place.
      await ursa.ok({ status: 'private', receiver: 'Tom', text: 'a private one' });
      shown.push('a private one');
      await term.waitFor(
        (l) => intact(l, shown, input, 'Act: @Ursa:1'),
        'a message above the status line and the whole input',
      );
      await send('and after it');
      await term.waitFor(
        (l) => intact(l, shown, input, 'Act: @Ursa:1'),
        'one more above the status line and the whole input',
      );
      assertHistory(term, shown);

      // The input buffer is whole: Enter sends all of it.
      term.press('End', 'Enter');
      assert.equal((await ursa.event('broadcast', { sender: 'Tom' })).text, input);
      await term.waitFor(
        (l) => l.at(-1) === PROMPT.trimEnd() && l.some((x) => x.includes('<Tom> w0-')),
        'the line sent',
      );
      assert.deepEqual(
        term.history().filter((l) => l.startsWith('Act:')),
        ['Act: @Ursa:1'],
        'the status line not left behind by Enter',
      );
      term.type('/exit');
      term.press('Enter');
      await ursa.event('system', { event: 'disconnect', sender: 'Tom' });
    } finally {
      term.kill();
      await ursa.close();
    }
  },
);
