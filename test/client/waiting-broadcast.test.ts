// Issue #12.8 as a student sees it: a broadcast sent while the terminal client was not running is shown
// at its next start, under the "waited for you" header with the other waiting messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatProcess } from '../helpers/chat-process.js';
import { TestClient } from '../helpers/client.js';
import { startServer } from '../helpers/server.js';

test('#12.8 the client shows a broadcast that waited under the "1 message waited for you" header', async () => {
  const server = await startServer();
  const running: ChatProcess[] = [];
  try {
    const prof = await TestClient.as(server.port, 'Prof');
    const first = ChatProcess.start(server.port, ['--user', 'Student']);
    running.push(first);
    await first.waitFor(/welcome, Student/);
    first.type('/exit');
    assert.equal(await first.exit(), 0);
    await prof.ok({ status: 'broadcast', text: 'quiz on Friday' });
    // Started again, it logs back in with the token it saved.
    const again = ChatProcess.start(server.port, ['--user', 'Student']);
    running.push(again);
    const header = await again.waitFor(/waited for you/);
    assert.match(header, /\b1 message waited for you\b/);
    const shown = await again.waitFor(/quiz on Friday/);
    assert.match(shown, /\[everyone\] <Prof> quiz on Friday$/);
    assert.ok(again.lines.indexOf(header) < again.lines.indexOf(shown), 'the header comes first');
    again.type('/exit');
    assert.equal(await again.exit(), 0);
    await prof.close();
  } finally {
    for (const p of running) p.kill();
    await server.stop();
  }
});
