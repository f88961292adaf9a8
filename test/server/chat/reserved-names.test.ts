// Issue #12.9: a reserved name (`everyone`, `server`) has the allowed shape, so the shape rule alone
// ("a name is 1-32 characters…") left the user guessing. Every way of taking a name says it is reserved,
// with the same stable code, invalid_name; a name of the wrong shape keeps the shape rule's text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { runAdmin, startServer } from '../../helpers/server.js';

test('#12.9 registering, logging in as or creating a room named everyone or server says the name is reserved', async () => {
  const server = await startServer();
  try {
    const client = await TestClient.connect(server.port, 'newcomer');
    for (const name of ['everyone', 'Everyone', 'server', 'SERVER']) {
      const reply = await expectError(client, { status: 'register', sender: name }, 'invalid_name');
      assert.match(reply.text, new RegExp(`^"${name}" is reserved \\(.+\\); choose another name$`), reply.text);
      const login = await expectError(client, { status: 'login', sender: name, token: 'x' }, 'invalid_name');
      assert.equal(login.text, reply.text);
    }
    assert.match(
      (await expectError(client, { status: 'register', sender: 'everyone' }, 'invalid_name')).text,
      /addresses every user/,
    );
    assert.match(
      (await expectError(client, { status: 'register', sender: 'server', password: 'long enough' }, 'invalid_name'))
        .text,
      /reserved/,
    );
    // A name of the wrong shape still gets the shape rule.
    assert.equal(
      (await expectError(client, { status: 'register', sender: 'has space' }, 'invalid_name')).text,
      'a name is 1-32 characters: letters, digits, ".", "_" or "-"',
    );
    await client.ok({ status: 'register', sender: 'Ada' });
    const room = await expectError(client, { status: 'create', receiver: 'Everyone' }, 'invalid_name');
    assert.match(room.text, /^"Everyone" is reserved \(.+\); choose another room name$/);
    await client.close();
    const admin = await runAdmin(server.dataDir, ['add-user', 'server'], 'a password\n');
    assert.equal(admin.code, 1);
    assert.match(admin.stderr, /"server" is reserved/);
  } finally {
    await server.stop();
  }
});
