// Claimed names (issue #11.1): in the default mode a name's first `register` claims it and gets a token;
// anyone else who types the name while its owner is away is refused and reads nothing of hers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseServeArgs } from '../../../src/server/config.js';
import { TestClient } from '../../helpers/client.js';
import { assertNotReceived, expectError } from '../../helpers/expect.js';
import { spawnServer, startServer, tempDataDir, type TestServer } from '../../helpers/server.js';

let server: TestServer;
// The product's default, read the way `classchat serve` reads it with no flag and no environment.
const DEFAULT_AUTH = parseServeArgs([], {}).auth;
before(async () => (server = await startServer({ auth: DEFAULT_AUTH })));
after(() => server.stop());

/** Registers `name` as a client would the first time, and returns the client with the token it keeps. */
async function claim(name: string): Promise<{ client: TestClient; token: string }> {
  const client = await TestClient.connect(server.port, name);
  const reply = await client.ok({ status: 'register', sender: name });
  assert.equal(typeof reply.token, 'string', 'the first register of a free name carries a token');
  assert.ok(reply.token.length >= 40, 'a token with enough entropy');
  return { client, token: reply.token };
}

/** Alice claims her name, joins a room and leaves; Bob writes to her privately and in the room. */
async function aliceAwayWithMail(alice: string, room: string): Promise<{ token: string; secret: string }> {
  const { client, token } = await claim(alice);
  await client.ok({ status: 'create', receiver: room });
  await client.ok({ status: 'exit' });
  await client.closed;
  const bob = await TestClient.as(server.port, `${alice}-friend`);
  const secret = `the exam answers for ${alice}`;
  await bob.ok({ status: 'private', receiver: alice, text: secret });
  await bob.ok({ status: 'join', receiver: room });
  await bob.ok({ status: 'group', receiver: room, text: `room news for ${alice}` });
  await bob.close();
  return { token, secret };
}

test('#11.1 registering an offline claimed name is refused with name_claimed and gets none of her messages', async () => {
  assert.equal(DEFAULT_AUTH, 'claim', 'claim is the default mode');
  await aliceAwayWithMail('Alice', 'alice-room');
  const mallory = await TestClient.connect(server.port, 'mallory');
  const refused = await expectError(mallory, { status: 'register', sender: 'aLiCe' }, 'name_claimed');
  assert.match(refused.text, /"status":"login","sender":"Alice","token"/, 'says how to log in with the saved token');
  assert.match(refused.text, /classchat admin reset-password Alice/);
  assert.match(refused.text, /classchat admin release-name Alice/);
  assert.equal(refused.rooms, undefined);
  assert.equal(refused.token, undefined);
  await assertNotReceived(mallory, (m) => m.status === 'private' || m.status === 'group', "any of Alice's messages");
  // Nor by history, which needs a name, nor with a password sign-up over her claim.
  await expectError(mallory, { status: 'history', receiver: 'alice-room' }, 'not_registered');
  await expectError(mallory, { status: 'register', sender: 'Alice', password: 'a password of mine' }, 'name_claimed');
  await expectError(
    mallory,
    { status: 'login', sender: 'Alice', token: 'not-her-token-not-her-token-not-her-token00' },
    'auth_failed',
  );
  // The refused connection may still claim a free name.
  const own = await mallory.ok({ status: 'register', sender: 'Mallory' });
  assert.equal(own.waiting, 0);
  await mallory.close();
});

test('#11.1 the claim token logs back in after exit and gets the messages that waited', async () => {
  const { token, secret } = await aliceAwayWithMail('Carol', 'carol-room');
  const carol = await TestClient.connect(server.port, 'Carol');
  const welcome = await carol.ok({ status: 'login', sender: 'Carol', token });
  assert.equal(welcome.sender, 'Carol');
  assert.deepEqual(welcome.rooms, ['carol-room']);
  assert.equal(welcome.waiting, 3, 'the private message, Bob joining her room, his message there');
  assert.equal(welcome.token, undefined, 'a token login keeps its token');
  const waited = await carol.event('private', { sender: 'Carol-friend' });
  assert.equal(waited.text, secret);
  await carol.event('group', { receiver: 'carol-room' });
  // exit keeps the claim token (it is the name's only credential) and the name stays claimed.
  await carol.ok({ status: 'exit' });
  const again = await TestClient.connect(server.port, 'Carol');
  await again.ok({ status: 'login', sender: 'carol', token });
  await again.close();
  const other = await TestClient.connect(server.port, 'other');
  await expectError(other, { status: 'register', sender: 'Carol' }, 'name_claimed');
  await other.close();
});

test('#11.1 --auth open still lets anyone take an offline name, and warns at start-up', async () => {
  const open = await spawnServer(tempDataDir(), ['--auth', 'open']);
  const claimDefault = await spawnServer(tempDataDir());
  try {
    const warning = open
      .output()
      .split('\n')
      .find((line) => /"level":40/.test(line) && /open mode/.test(line));
    assert.ok(warning, `open mode logs a warning at start-up:\n${open.output()}`);
    assert.match(warning, /anyone can take any offline name/);
    assert.doesNotMatch(claimDefault.output(), /open mode/, 'the default mode does not warn');

    const alice = await TestClient.connect(open.port, 'alice');
    const first = await alice.ok({ status: 'register', sender: 'Alice' });
    assert.equal(first.token, undefined, 'open mode hands out no token');
    await alice.ok({ status: 'exit' });
    const bob = await TestClient.as(open.port, 'Bob');
    await bob.ok({ status: 'private', receiver: 'Alice', text: 'for Alice' });
    await bob.close();
    const anyone = await TestClient.connect(open.port, 'anyone');
    const taken = await anyone.ok({ status: 'register', sender: 'aLiCe' });
    assert.equal(
      taken.waiting,
      1,
      "in open mode the seeds' behaviour stays: Alice's message goes to whoever types her name",
    );
    await anyone.close();
  } finally {
    await open.stop();
    await claimDefault.stop();
  }
});
