// The chat domain's one clock (src/server/chat/chat.ts, issue #13): every time the server stamps or
// compares (a message's ts, a mute's end, the resend window) comes from it, so a test that moves the
// clock on sees time pass without waiting for it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { runAdmin, startServer, type TestServer } from '../../helpers/server.js';

const HOUR_MS = 3_600_000;
/** Far from the machine's time, so anything read from the real clock shows. */
let now = Date.parse('2031-05-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let server: TestServer;
let admin: TestClient;
before(async () => {
  server = await startServer({ clock: () => now });
  const created = await runAdmin(server.dataDir, ['add-user', 'ClockProf', '--admin'], 'professor password\n');
  assert.equal(created.code, 0, created.stderr);
  admin = await TestClient.connect(server.port, 'ClockProf');
  await admin.ok({ status: 'login', sender: 'ClockProf', password: 'professor password' });
});
after(async () => {
  await admin.close();
  await server.stop();
});

test('#13. a message is stamped with the domain clock', async () => {
  const a = await TestClient.as(server.port, 'ClockA');
  await TestClient.as(server.port, 'ClockB').then((b) => b.close());
  const sent = await a.ok({ status: 'private', receiver: 'ClockB', text: 'when is this?' });
  assert.equal(sent.ts, iso(now));
  now += 1234;
  const later = await a.ok({ status: 'private', receiver: 'ClockB', text: 'and this?' });
  assert.equal(later.ts, iso(now));
  await a.close();
});

test('#13. a mute starts and ends by the domain clock', async () => {
  const loud = await TestClient.as(server.port, 'ClockLoud');
  const muted = await admin.ok({ status: 'mute', receiver: 'ClockLoud', seconds: 60 });
  assert.equal(muted.until, iso(now + 60_000));
  const refused = await expectError(loud, { status: 'broadcast', text: 'still muted?' }, 'muted');
  assert.equal(refused.retry_after_ms, 60_000, 'the clock has not moved, so the whole minute is left');
  now += 59_000;
  assert.equal((await expectError(loud, { status: 'broadcast', text: 'now?' }, 'muted')).retry_after_ms, 1000);
  now += 1001;
  await loud.ok({ status: 'broadcast', text: 'the minute is over' });
  await loud.close();
});

test('#13. a resend is recognised within 24 hours of the domain clock, and is a new message after', async () => {
  const a = await TestClient.as(server.port, 'ClockResend');
  const request = { status: 'broadcast', text: 'said once', id: 'clock-1' };
  const first = await a.ok(request);
  now += 23 * HOUR_MS;
  assert.equal((await a.ok(request)).msgid, first.msgid, 'within the window: answered as before');
  now += 2 * HOUR_MS;
  assert.notEqual((await a.ok(request)).msgid, first.msgid, 'past the window: a new message');
  await a.close();
});
