// Files across nodes (#15): three servers on one PostgreSQL schema, each with its own data directory.
// An upload begun through one node is resumed and finished through a second, and fetched through a
// third, over the real upload protocol: the bytes are in the database, which every node reaches.
// The first test runs the nodes one after another (what a node finds of an upload it never saw comes
// from PostgreSQL alone); the second runs three nodes at once, joined by Redis (--bus), with the
// recipient online on the third while the upload goes through the other two.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { TestClient, type Obj } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { downloadFile, randomFile, sendChunks, sha256, startUpload } from '../../helpers/files.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { freshPostgresSchema, POSTGRES_SKIP, REDIS_SKIP, REDIS_URL, uniqueName } from '../../helpers/services.js';

test(
  '#15 files across nodes: an upload begun through node 1 and cut off is resumed and finished through node 2, and fetched through node 3 byte for byte',
  { skip: POSTGRES_SKIP, timeout: 60_000 },
  async () => {
    const schema = await freshPostgresSchema();
    const dataDirs: string[] = [];
    const clients: TestClient[] = [];
    const track = (client: TestClient) => (clients.push(client), client);
    let node: TestServer | null = null;
    /** Stops the node running now (closing its clients) and starts the next one on the same schema. */
    const nextNode = async (): Promise<TestServer> => {
      for (const client of clients.splice(0)) await client.close();
      await node?.stop();
      node = await startServer({ store: schema.url });
      dataDirs.push(node.dataDir);
      return node;
    };
    try {
      const node1 = await nextNode();
      // Bob has an account and is offline while the file is sent.
      const bob = track(await TestClient.as(node1.port, 'Bob'));
      await bob.ok({ status: 'exit' });

      const { bytes, sha256: hash } = randomFile(700_000);
      let alice = track(await TestClient.as(node1.port, 'Alice'));
      const started = await startUpload(alice, 'Bob', 'lecture.mp4', bytes);
      assert.equal(started.offset, 0);
      const part = await sendChunks(alice, started, bytes, 300_000);
      assert.equal(part.status, 'ok');
      assert.ok(part.offset >= 300_000 && part.offset < bytes.length, `node 1 acknowledged ${part.offset} bytes`);
      await alice.close(); // the connection drops mid-upload

      // Alice comes back through node 2, which never saw the upload: it finds it, and how far it got, in PostgreSQL.
      const node2 = await nextNode();
      alice = track(await TestClient.back(node2.port, alice));
      const resumed = await startUpload(alice, 'Bob', 'lecture.mp4', bytes);
      assert.equal(resumed.file, started.file, 'the same upload');
      assert.equal(resumed.offset, part.offset, 'from the last chunk node 1 acknowledged');
      const wrong = await alice.request({
        status: 'chunk',
        file: started.file,
        offset: 0,
        data: bytes.subarray(0, 10).toString('base64'),
      });
      assert.deepEqual([wrong.code, wrong.offset], ['bad_offset', part.offset], 'node 2 knows where the upload stands');
      const done = await sendChunks(alice, resumed, bytes);
      assert.equal(done.done, true, `finished through node 2: ${JSON.stringify(done)}`);
      assert.equal(done.offset, bytes.length);

      // Bob logs in through node 3: he finds the file in his history with Alice and listed, and fetches it whole.
      // (Not told of it at login: node 3 learns of messages numbered on other nodes with the bus, not built yet.)
      const node3 = await nextNode();
      const bobBack = track(await TestClient.back(node3.port, bob));
      const history = await bobBack.ok({ status: 'history', receiver: 'Alice' });
      const announcement = history.messages.find((m: Obj) => m.file === started.file);
      assert.equal(announcement?.msgid, done.msgid, `the announcement is in the history: ${JSON.stringify(history)}`);
      const listed = await bobBack.ok({ status: 'files', receiver: 'Alice' });
      assert.deepEqual(
        listed.files.map((f: Obj) => [f.file, f.name, f.size, f.sha256]),
        [[started.file, 'lecture.mp4', bytes.length, hash]],
      );
      const got = await downloadFile(bobBack, started.file);
      assert.equal(got.length, bytes.length);
      assert.equal(sha256(got), hash);
      assert.ok(got.equals(bytes));
      // A download resumes through another node just the same, for him alone.
      const node4 = await nextNode();
      const carol = track(await TestClient.as(node4.port, 'Carol'));
      await expectError(carol, { status: 'fetch', file: started.file, offset: 0 }, 'no_such_file');
      const bobOnNode4 = track(await TestClient.back(node4.port, bobBack));
      assert.ok((await downloadFile(bobOnNode4, started.file, 456_789)).equals(bytes.subarray(456_789)));

      // No node kept the bytes in its own data directory.
      for (const dir of dataDirs) assert.equal(fs.existsSync(path.join(dir, 'files')), false, dir);
    } finally {
      for (const client of clients) await client.close();
      await (node as TestServer | null)?.stop();
      await schema.drop();
    }
  },
);

test(
  '#15 files across joined nodes: Bob online on node 3 is told live of a file Alice began through node 1 and finished through node 2, and fetches it there',
  { skip: POSTGRES_SKIP || REDIS_SKIP, timeout: 60_000 },
  async () => {
    const schema = await freshPostgresSchema();
    const busPrefix = `${uniqueName('files')}:`;
    const nodes: TestServer[] = [];
    const clients: TestClient[] = [];
    const track = (client: TestClient) => (clients.push(client), client);
    try {
      for (let i = 0; i < 3; i++) nodes.push(await startServer({ store: schema.url, bus: REDIS_URL, busPrefix }));
      const [node1, node2, node3] = nodes as [TestServer, TestServer, TestServer];
      const bob = track(await TestClient.as(node3.port, 'Bob'));
      let alice = track(await TestClient.as(node1.port, 'Alice'));

      const { bytes, sha256: hash } = randomFile(500_000);
      const started = await startUpload(alice, 'Bob', 'notes.pdf', bytes);
      const part = await sendChunks(alice, started, bytes, 200_000);
      assert.ok(part.offset >= 200_000 && part.offset < bytes.length, `node 1 acknowledged ${part.offset} bytes`);
      await alice.close(); // the connection drops mid-upload

      alice = track(await TestClient.back(node2.port, alice));
      const resumed = await startUpload(alice, 'Bob', 'notes.pdf', bytes);
      assert.deepEqual([resumed.file, resumed.offset], [started.file, part.offset], 'resumed where node 1 stopped');
      const done = await sendChunks(alice, resumed, bytes);
      assert.equal(done.done, true, `finished through node 2: ${JSON.stringify(done)}`);

      // Node 3 learns of the announcement from the bus and tells Bob at once, as one node would.
      const told = await bob.event('private', { sender: 'Alice', file: started.file });
      assert.equal(told.msgid, done.msgid);
      const got = await downloadFile(bob, started.file);
      assert.equal(sha256(got), hash);
      assert.ok(got.equals(bytes));
    } finally {
      for (const client of clients) await client.close();
      for (const node of nodes) await node.stop();
      await schema.drop();
    }
  },
);
