// Issue #11.14: a muted user could still make members receive system messages (leave/join repeated,
// `create` with members). Mute covers every request that reaches others: every request kind is sent by a
// muted user here, and a witness who shares rooms, a private conversation and an upload with them must
// receive nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestSchemas, type RequestStatus } from '../../../src/protocol/requests.js';
import { TestClient, type Obj } from '../../helpers/client.js';
import { barrier } from '../../helpers/expect.js';
import { runAdmin, startServer } from '../../helpers/server.js';

const HELLO_SHA256 = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Every request kind, as the muted user sends it; `exit` last (it ends the connection). */
function examples(uploadId: number): Record<RequestStatus, Obj> {
  return {
    register: { status: 'register', sender: 'Hush' },
    login: { status: 'login', sender: 'Hush', password: 'whatever it is' },
    password: { status: 'password', password: 'not set', new_password: 'another password' },
    private: { status: 'private', receiver: 'Witness', text: 'psst' },
    broadcast: { status: 'broadcast', text: 'hello all' },
    group: { status: 'group', receiver: 'HushRoom', text: 'hello room' },
    create: { status: 'create', receiver: 'HushNew', members: ['Witness'] },
    join: { status: 'join', receiver: 'WitnessRoom' },
    leave: { status: 'leave', receiver: 'WitnessLounge' },
    kick: { status: 'kick', receiver: 'Witness', room: 'HushRoom' },
    delete: { status: 'delete', receiver: 'HushRoom' },
    mute: { status: 'mute', receiver: 'Witness', seconds: 60 },
    upload: { status: 'upload', receiver: 'Witness', name: 'empty.txt', size: 0, sha256: EMPTY_SHA256 },
    chunk: { status: 'chunk', file: uploadId, offset: 0, data: Buffer.from('hello').toString('base64') },
    who: { status: 'who' },
    users: { status: 'users' },
    rooms: { status: 'rooms' },
    members: { status: 'members', receiver: 'HushRoom' },
    history: { status: 'history', receiver: 'HushRoom' },
    files: { status: 'files' },
    fetch: { status: 'fetch', file: uploadId, offset: 0 },
    ping: { status: 'ping' },
    help: { status: 'help' },
    exit: { status: 'exit' },
  };
}

/** The kinds that would reach the witness if the mute let them through. */
const REACHES_OTHERS = ['private', 'broadcast', 'group', 'create', 'join', 'kick', 'delete', 'upload', 'chunk'];

test('#11.14 a muted user reaches nobody with any request kind: join, leave, create with members, kick, delete, uploads included', async () => {
  const server = await startServer();
  const clients: TestClient[] = [];
  try {
    const created = await runAdmin(server.dataDir, ['add-user', 'Warden', '--admin'], 'warden password\n');
    assert.equal(created.code, 0, created.stderr);
    const admin = await TestClient.connect(server.port, 'Warden');
    clients.push(admin);
    await admin.ok({ status: 'login', sender: 'Warden', password: 'warden password' });
    const witness = await TestClient.as(server.port, 'Witness');
    const hush = await TestClient.as(server.port, 'Hush');
    clients.push(witness, hush);
    // Hush owns a room with Witness, is in Witness's lounge, and has an upload to Witness under way.
    await hush.ok({ status: 'create', receiver: 'HushRoom', members: ['Witness'] });
    await witness.ok({ status: 'create', receiver: 'WitnessRoom' });
    await witness.ok({ status: 'create', receiver: 'WitnessLounge' });
    await hush.ok({ status: 'join', receiver: 'WitnessLounge' });
    const started = await hush.ok({
      status: 'upload',
      receiver: 'Witness',
      name: 'hello.txt',
      size: 5,
      sha256: HELLO_SHA256,
    });
    await admin.ok({ status: 'mute', receiver: 'Hush', seconds: 600 });
    await hush.event('system', { event: 'muted' });
    await barrier(witness);
    const before = witness.received.length;

    const all = examples(started.file);
    assert.deepEqual(Object.keys(all).sort(), Object.keys(RequestSchemas).sort(), 'every request kind is tried');
    const replies: Record<string, Obj> = {};
    for (const [status, request] of Object.entries(all)) {
      if (status === 'exit' || status === 'leave') continue;
      replies[status] = await hush.request(request);
    }
    for (const status of REACHES_OTHERS) {
      assert.equal(replies[status]!.code, 'muted', `${status} while muted: ${JSON.stringify(replies[status])}`);
    }
    await barrier(witness);
    const events = witness.received.slice(before).filter((m) => m.ref === undefined);
    assert.deepEqual(events, [], 'the witness received nothing from the muted user');
    // Reading still works while muted.
    assert.equal(replies.history!.status, 'ok');
    assert.equal(replies.who!.status, 'ok');
    // Leaving does too, once: the members are told, but join is muted, so there is no leave/join loop.
    await hush.ok(all.leave);
    await witness.event('system', { event: 'leave', sender: 'Hush' });
    assert.equal((await hush.request({ status: 'join', receiver: 'WitnessLounge' })).code, 'muted');
  } finally {
    for (const c of clients) await c.close();
    await server.stop();
  }
});
