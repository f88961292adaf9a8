// A client can never act as another (issue #4): `sender` in a request is ignored for every request
// kind, and claiming another's name fails. The example table must cover every status the server
// knows, so a new request kind cannot be added without this test covering it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RequestSchemas, type RequestStatus } from '../../../src/protocol/requests.js';
import { TestClient, type Obj } from '../../helpers/client.js';
import { barrier, expectError } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';

const EXAMPLES: Record<RequestStatus, Obj> = {
  register: { status: 'register' },
  login: { status: 'login', password: 'victim password' },
  password: { status: 'password', password: 'victim password', new_password: 'stolen password' },
  private: { status: 'private', receiver: 'Witness', text: 'spoofed private' },
  broadcast: { status: 'broadcast', text: 'spoofed broadcast' },
  group: { status: 'group', receiver: 'SpoofRoom', text: 'spoofed group' },
  create: { status: 'create', receiver: 'MalloryRoom', members: ['Witness'] },
  join: { status: 'join', receiver: 'OpenRoom' },
  leave: { status: 'leave', receiver: 'OpenRoom' },
  who: { status: 'who' },
  users: { status: 'users' },
  rooms: { status: 'rooms' },
  members: { status: 'members', receiver: 'SpoofRoom' },
  history: { status: 'history', receiver: 'SpoofRoom' },
  kick: { status: 'kick', receiver: 'Witness', room: 'SpoofRoom' },
  mute: { status: 'mute', receiver: 'Witness', seconds: 60 },
  delete: { status: 'delete', receiver: 'SpoofRoom' },
  // An empty file is complete at once: Witness is told, and the message must carry Mallory's name.
  upload: {
    status: 'upload',
    receiver: 'Witness',
    name: 'spoofed.txt',
    size: 0,
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  },
  chunk: { status: 'chunk', file: 1, offset: 0, data: 'c3Bvb2ZlZA==' },
  files: { status: 'files' },
  fetch: { status: 'fetch', file: 1, offset: 0 },
  ping: { status: 'ping' },
  help: { status: 'help' },
  exit: { status: 'exit' },
};

let server: TestServer;
let victim: TestClient;
let witness: TestClient;
before(async () => {
  server = await startServer();
  victim = await TestClient.connect(server.port, 'Victim');
  await victim.ok({ status: 'register', sender: 'Victim', password: 'victim password' });
  witness = await TestClient.as(server.port, 'Witness');
  await victim.ok({ status: 'create', receiver: 'SpoofRoom', members: ['Witness', 'Mallory'] }).catch(() => undefined);
});
after(() => server.stop());

test('impersonation: the example table covers every request status', () => {
  assert.deepEqual(Object.keys(EXAMPLES).sort(), Object.keys(RequestSchemas).sort());
});

test('impersonation: "sender" is ignored in every request kind; what others see carries the real sender', async () => {
  const mallory = await TestClient.as(server.port, 'Mallory');
  await mallory.ok({ status: 'join', receiver: 'SpoofRoom' }).catch(() => undefined);
  await witness.ok({ status: 'create', receiver: 'OpenRoom' });
  await mallory.ok({ status: 'join', receiver: 'OpenRoom' });
  const mark = { victim: victim.received.length, witness: witness.received.length, mallory: mallory.received.length };
  for (const [status, example] of Object.entries(EXAMPLES)) {
    if (status === 'exit') continue; // last, below
    const reply = await mallory.request({ ...example, sender: 'Victim' });
    if (status === 'register' || status === 'login') {
      assert.equal(
        reply.status,
        'error',
        `${status} as Victim on a registered connection must fail: ${JSON.stringify(reply)}`,
      );
      assert.equal(reply.code, 'already_registered');
    } else if (status === 'password') {
      // Mallory has no account: nothing to change, and Victim's password is untouched.
      assert.equal(reply.status, 'error');
    }
    assert.notEqual(reply.sender, 'Victim', `${status}: the reply names Victim: ${JSON.stringify(reply)}`);
  }
  await barrier(victim);
  await barrier(witness);
  const seen = [
    ...victim.received.slice(mark.victim),
    ...witness.received.slice(mark.witness),
    ...mallory.received.slice(mark.mallory),
  ];
  const spoofed = seen.filter((m) => m.sender === 'Victim');
  assert.deepEqual(spoofed, [], 'nothing anyone received claims to be from Victim');
  const fromMallory = seen.filter((m) => typeof m.text === 'string' && m.text.startsWith('spoofed'));
  assert.ok(fromMallory.length >= 3, 'the spoofed messages were delivered');
  for (const m of fromMallory) assert.equal(m.sender, 'Mallory');
  const exit = await mallory.request({ ...EXAMPLES.exit, sender: 'Victim' });
  assert.equal(exit.status, 'ok');
  await mallory.closed;
  // Victim is still online and still owns the name with the same password.
  await victim.ok({ status: 'who' });
  const other = await TestClient.connect(server.port, 'thief');
  await expectError(other, { status: 'register', sender: 'Victim' }, 'name_taken');
  await expectError(other, { status: 'login', sender: 'Victim', password: 'stolen password' }, 'auth_failed');
  await other.close();
});
