// Pasting in the interactive client (issue #12.2), in a real terminal (tmux, with bracketed paste): a
// paste of several lines is one multi-line message, whatever its lines start with, shown with its
// continuation lines indented; typed lines stay one message each. Against the default flood limits,
// where a paste sent line by line lost its lines past the burst. Skipped, with the reason, where tmux
// is not installed; CI installs it and requires it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';
import { TestClient } from '../helpers/client.js';
import { CLI, startServer, type TestServer } from '../helpers/server.js';
import { TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

const skip = TMUX_SKIP;

let server: TestServer;
before(async () => {
  if (!skip)
    server = await startServer({
      limits: {
        floodBurst: DEFAULT_LIMITS.floodBurst,
        floodRate: DEFAULT_LIMITS.floodRate,
        floodStrikes: DEFAULT_LIMITS.floodStrikes,
      },
    });
});
after(() => server?.stop());

test(
  '#12.2 a paste of 15 lines arrives as one multi-line message; typed lines stay one message each',
  { skip },
  async () => {
    const reader = await TestClient.as(server.port, 'PasteReader');
    const term = TmuxSession.start([process.execPath, CLI, 'chat', '--port', String(server.port), '--user', 'Paula'], {
      NO_COLOR: '1',
    });
    try {
      await term.waitFor((l) => l.at(-1) === '[everyone]>', 'the prompt');
      // A line that looks like a command is text inside a paste; the paste's last line has no newline.
      const lines = Array.from({ length: 15 }, (_, i) => (i === 7 ? '/who is here' : `pasted line ${i + 1}`));
      term.paste(lines.join('\n'));
      const message = await reader.event('broadcast', { sender: 'Paula' });
      assert.equal(message.text, lines.join('\n'));

      // Shown once, as one message, its continuation lines indented; the prompt is empty again.
      const screen = await term.waitFor(
        (l) => l.at(-1) === '[everyone]>' && l.some((x) => x.endsWith('pasted line 15')),
        'the pasted message',
      );
      const first = screen.findIndex((x) => x.endsWith('[everyone] <Paula> pasted line 1'));
      assert.ok(first !== -1, screen.join('\n'));
      assert.deepEqual(
        screen.slice(first + 1, first + 15).map((x) => x.trim()),
        lines.slice(1),
      );
      for (const row of screen.slice(first + 1, first + 15))
        assert.match(row, /^ {8,}\S/, 'continuation lines are indented');
      assert.equal(
        screen.filter((x) => x.includes('pasted line 2')).length,
        1,
        'the paste is not echoed line by line besides',
      );

      // Typed lines: one message each.
      term.type('typed one');
      term.press('Enter');
      term.type('typed two');
      term.press('Enter');
      assert.equal((await reader.event('broadcast', { sender: 'Paula' })).text, 'typed one');
      assert.equal((await reader.event('broadcast', { sender: 'Paula' })).text, 'typed two');

      // A paste without a newline stays in the input line, to be edited and sent with Enter.
      term.paste('half');
      await term.waitFor((l) => l.at(-1) === '[everyone]> half', 'the pasted word in the input line');
      term.type(' done');
      term.press('Enter');
      assert.equal((await reader.event('broadcast', { sender: 'Paula' })).text, 'half done');
    } finally {
      term.kill();
      await reader.close();
    }
  },
);

test(
  '#12.2 a paste keeps its tabs and its long lines, and the chat lines above the prompt stay on screen',
  { skip },
  async () => {
    const reader = await TestClient.as(server.port, 'TabReader');
    const term = TmuxSession.start(
      [process.execPath, CLI, 'chat', '--port', String(server.port), '--user', 'Tabitha'],
      { NO_COLOR: '1' },
      { width: 80, height: 30 },
    );
    try {
      await term.waitFor((l) => l.at(-1) === '[everyone]>', 'the prompt');
      for (const text of ['above one', 'above two', 'above three']) await reader.ok({ status: 'broadcast', text });
      await term.waitFor((l) => l.some((x) => x.endsWith('<TabReader> above three')), 'the chat lines');
      // Code with a tab (which must not run completion) and a line three rows wide at 80 columns (which
      // readline, drawing it, would climb over the lines above as it wrapped).
      const long = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
      const code = ['def f():', '\treturn 1', long, 'end'].join('\n');
      term.paste(code);
      const message = await reader.event('broadcast', { sender: 'Tabitha' });
      assert.equal(message.text, code);
      const screen = await term.waitFor(
        (l) => l.at(-1) === '[everyone]>' && l.some((x) => x.trim() === 'end'),
        'the pasted message shown',
      );
      for (const text of ['above one', 'above two', 'above three']) {
        assert.equal(
          screen.filter((x) => x.endsWith(`<TabReader> ${text}`)).length,
          1,
          `"${text}" is still on screen:\n${screen.join('\n')}`,
        );
        assert.equal(
          term.history().filter((x) => x.endsWith(`<TabReader> ${text}`)).length,
          1,
          `"${text}" once in the scrollback`,
        );
      }
    } finally {
      term.kill();
      await reader.close();
    }
  },
);

test('#12.2 a paste into a password question answers it and is never sent as chat', { skip }, async () => {
  const reader = await TestClient.as(server.port, 'PwReader');
  const term = TmuxSession.start([process.execPath, CLI, 'chat', '--port', String(server.port), '--user', 'Petra'], {
    NO_COLOR: '1',
  });
  try {
    await term.waitFor((l) => l.at(-1) === '[everyone]>', 'the prompt');
    term.type('/register');
    term.press('Enter');
    await term.waitFor((l) => l.some((x) => x.startsWith('choose a password for Petra')), 'the password question');
    // A password manager's paste, with its newline, twice over: the first line answers; the rest is no chat line.
    term.paste('petra pasted secret\npetra pasted secret\n');
    await term.waitFor(
      (l) => l.some((x) => x.startsWith('type the password for Petra again')),
      'the confirmation question',
    );
    term.type('petra pasted secret');
    term.press('Enter');
    await term.waitFor((l) => l.some((x) => x.includes('Petra is protected by your password now')), 'the password set');
    // Typing shows again after the paste, and a line typed now is the barrier for "nothing else was sent".
    term.type('after the password');
    await term.waitFor((l) => l.at(-1) === '[everyone]> after the password', 'the typed line echoed');
    term.press('Enter');
    assert.equal((await reader.event('broadcast', { sender: 'Petra' })).text, 'after the password');
    const sent = reader.received.filter((m) => m.sender === 'Petra' && typeof m.text === 'string');
    assert.deepEqual(
      sent.map((m) => m.text),
      ['after the password'],
      'nothing of the paste was sent',
    );
    assert.equal(
      term.history().some((x) => x.includes('secret')),
      false,
      'the password was never shown',
    );
  } finally {
    term.kill();
    await reader.close();
  }
});
