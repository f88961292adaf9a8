// Activity in a real terminal (tmux), issue #12.6: the status line above the prompt counts unread
// messages per conversation, a mention of you is highlighted and rings the bell once per message (not
// for your own lines, history or lines shown again), and Alt-a or /next jumps to the next conversation
// with unread messages and shows them, keeping a half-typed line. Skipped, with the reason, where tmux
// is not installed; CI installs it and requires it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { TestClient } from '../helpers/client.js';
import { CLI, startServer, type TestServer } from '../helpers/server.js';
import { TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

const skip = TMUX_SKIP;

let server: TestServer;
let dir: string;
before(async () => {
  if (skip) return;
  server = await startServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-activity-'));
});
after(async () => {
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The status line (the row above the prompt) and the prompt row, when the prompt is the last row. */
function bottom(lines: string[]): { status: string; prompt: string } {
  return { status: lines.at(-2) ?? '', prompt: lines.at(-1) ?? '' };
}

test(
  '#12.6 a status line counts unread messages per conversation; mentions ring the bell; Alt-a and /next jump there and show them',
  { skip },
  async () => {
    // Colour on (no NO_COLOR): the highlight of a mention is part of what is tested.
    const term = TmuxSession.start(
      [process.execPath, CLI, 'chat', '--port', String(server.port), '--user', 'Tess'],
      {},
      { width: 100, height: 40 },
    );
    const output = path.join(dir, 'tess.out');
    term.record(output);
    const bells = () => (fs.existsSync(output) ? fs.readFileSync(output, 'latin1').split('\x07').length - 1 : 0);
    const [ann, bob] = [await TestClient.as(server.port, 'Ann'), await TestClient.as(server.port, 'Bob')];
    try {
      await term.waitFor((l) => l.at(-1) === '[everyone]>', 'the prompt');
      await ann.ok({ status: 'create', receiver: 'Lab', members: ['Tess'] });
      await term.waitFor((l) => l.some((x) => x.includes('[Lab] *')), 'the room created with Tess in it');

      await ann.ok({ status: 'group', receiver: 'Lab', text: 'lab one' });
      await ann.ok({ status: 'group', receiver: 'Lab', text: 'lab two' });
      await ann.ok({ status: 'group', receiver: 'Lab', text: 'lab three, what does tess think?' });
      await bob.ok({ status: 'private', receiver: 'Tess', text: 'bob one' });
      let lines = await term.waitFor((l) => bottom(l).status === 'Act: Lab:3 @Bob:1', 'the unread counts');
      assert.equal(bottom(lines).prompt, '[everyone]>');
      // The mention is highlighted in its line, and rang the bell once.
      const mention = term.screenWithEscapes().find((l) => l.includes('what does'))!;
      // eslint-disable-next-line no-control-regex -- the highlight is an ANSI escape sequence, which starts with ESC (\x1b)
      assert.match(mention, /what does \x1b\[[\d;]+m(\x1b\[[\d;]+m)*tess\x1b\[/, JSON.stringify(mention));
      await waitUntil(
        () => bells() === 1,
        () => `one bell, got ${bells()}`,
      );

      // Messages to the current conversation (everyone) are not counted; a second mention rings again.
      await ann.ok({ status: 'broadcast', text: 'to all' });
      await bob.ok({ status: 'private', receiver: 'Tess', text: 'TESS?' });
      lines = await term.waitFor(
        (l) => bottom(l).status === 'Act: Lab:3 @Bob:2',
        'Bob counted twice, everyone not at all',
      );
      await waitUntil(
        () => bells() === 2,
        () => `two bells, got ${bells()}`,
      );

      // Alt-a: to the first conversation that mentions you (Lab), its lines shown again; the half-typed line stays.
      term.type('draft');
      term.press('M-a');
      // The prompt and the lines shown again are drawn one after the other: wait for both (a capture
      // between them, on a loaded machine, found the prompt without the lines).
      lines = await term.waitFor(
        (l) => bottom(l).prompt === '[Lab]> draft' && l.includes('--- 3 unread in Lab ---'),
        'the prompt switched to Lab, the draft kept, the unread lines shown again',
      );
      assert.equal(bottom(lines).status, 'Act: @Bob:2');
      const header = lines.findIndex((l) => l === '--- 3 unread in Lab ---');
      assert.notEqual(header, -1, lines.join('\n'));
      assert.deepEqual(
        lines.slice(header + 1, header + 4).map((l) => l.replace(/^\d\d:\d\d /, '')),
        ['[Lab] <Ann> lab one', '[Lab] <Ann> lab two', '[Lab] <Ann> lab three, what does tess think?'],
      );

      // /next: to Bob; then nothing is unread and the status line goes.
      term.press('C-u');
      term.type('/next');
      term.press('Enter');
      lines = await term.waitFor(
        (l) => l.at(-1) === '[@Bob]>' && l.includes('--- 2 unread in @Bob ---'),
        'the jump to Bob',
      );
      assert.notEqual(bottom(lines).status.startsWith('Act:'), true, 'no status line once all is read');
      assert.deepEqual(
        lines
          .slice(lines.indexOf('--- 2 unread in @Bob ---') + 1)
          .slice(0, 2)
          .map((l) => l.replace(/^\d\d:\d\d /, '')),
        ['[@Bob] <Bob> bob one', '[@Bob] <Bob> TESS?'],
      );
      term.type('/next');
      term.press('Enter');
      await term.waitFor((l) => l.at(-2) === 'no unread messages', 'nothing more to read');

      // Switching by hand clears a count too; everyone is counted when it is not the current conversation.
      await ann.ok({ status: 'broadcast', text: 'all one' });
      await ann.ok({ status: 'broadcast', text: 'all two' });
      await ann.ok({ status: 'group', receiver: 'Lab', text: 'lab four' });
      await term.waitFor((l) => bottom(l).status === 'Act: everyone:2 Lab:1', 'everyone and Lab counted');
      term.type('/switch everyone');
      term.press('Enter');
      await term.waitFor((l) => bottom(l).status === 'Act: Lab:1' && l.at(-1) === '[everyone]>', 'everyone read');
      // Writing to a conversation without switching to it reads it.
      term.type('Lab: on my way');
      term.press('Enter');
      await ann.event('group', { sender: 'Tess' });
      lines = await term.waitFor(
        (l) => l.at(-1) === '[everyone]>' && l.some((x) => x.endsWith('<Tess> on my way')),
        'the sent line',
      );
      assert.notEqual(bottom(lines).status.startsWith('Act:'), true, `Lab read by writing to it:\n${lines.join('\n')}`);

      // History and your own lines that mention you do not ring.
      term.type('/history Lab');
      term.press('Enter');
      await term.waitFor((l) => l.some((x) => x.startsWith('--- history of Lab')), 'the history');
      term.type('tess talking to herself');
      term.press('Enter');
      await ann.event('broadcast', { sender: 'Tess' });
      // Everything printed before has reached the recording once a later reply has.
      term.type('/next');
      term.press('Enter');
      await waitUntil(
        () => fs.readFileSync(output, 'latin1').split('no unread messages').length === 3,
        () => 'the second "no unread messages" recorded',
      );
      assert.equal(bells(), 2, 'no bell for history or for your own line');
      // Enter takes the status line away before the typed line goes up: none is left in the scrollback.
      assert.deepEqual(
        term.history().filter((l) => l.startsWith('Act:')),
        [],
      );
      term.type('/exit');
      term.press('Enter');
      await ann.event('system', { event: 'disconnect', sender: 'Tess' });
    } finally {
      term.kill();
      await ann.close();
      await bob.close();
    }
  },
);

/** Polls `check` (a file another process writes) until it holds, or fails after 5 s with `what`. */
async function waitUntil(check: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
