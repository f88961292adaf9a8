// The web app's outbox (issue #14, web/src/net/outbox.ts) against a real server over loopback: a burst
// past the flood limit is paced by the server's retry_after_ms and every message arrives once, in order;
// a message whose reply was lost with the connection is sent again with the same id after the reconnect
// and is not delivered twice. The browser's WebSocket is stood in for by the line protocol (the same
// objects): LineLink gives the outbox the one method it uses.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { RequestId } from '../../src/protocol/requests.js';
import { CLOSE_TOO_BIG, FrameTooLarge, LinkClosed } from '../../web/src/net/frame.js';
import type { Link } from '../../web/src/net/link.js';
import { Outbox, type ChatRequest } from '../../web/src/net/outbox.js';
import { TestClient, type Obj } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** The part of Link the outbox uses, over a TestClient; `swallow`: replies never arrive (lost with the connection). */
class LineLink {
  closed = false;
  /** Every request line sent: text and id. */
  readonly sent: { text: string; id: RequestId }[] = [];
  readonly refusals: Obj[] = [];
  private readonly lost: ((err: Error) => void)[] = [];

  constructor(
    private readonly client: TestClient,
    private readonly swallow = false,
  ) {
    void client.closed.then(() => {
      this.closed = true;
      for (const reject of this.lost.splice(0)) reject(new Error('connection closed'));
    });
  }

  request(request: ChatRequest, _onReply: unknown, id: RequestId): Promise<Obj> {
    this.sent.push({ text: request.text, id });
    if (this.swallow) {
      this.client.send({ ...request, id });
      return new Promise((_resolve, reject) => this.lost.push(reject));
    }
    return this.client.request({ ...request, id }).then((reply) => {
      if (reply.status === 'error') this.refusals.push(reply);
      return reply;
    });
  }

  asLink(): Link {
    return this as unknown as Link;
  }
}

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

/** Waits until `client` has received `count` private messages from `from`; returns their texts. */
async function privateTexts(client: TestClient, from: string, count: number): Promise<string[]> {
  const texts: string[] = [];
  while (texts.length < count)
    texts.push((await client.waitFor((m) => m.status === 'private' && m.sender === from)).text as string);
  return texts;
}

test('#14 web outbox: a burst past the flood limit is paced by retry_after_ms and every message arrives once, in order', async () => {
  const server = await startServer({ limits: { floodBurst: 3, floodRate: 20 } });
  servers.push(server);
  const alice = await TestClient.as(server.port, 'Alice');
  const bob = await TestClient.as(server.port, 'Bob');
  const link = new LineLink(alice);
  const outbox = new Outbox(() => undefined);
  outbox.resume(link.asLink());
  const texts = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
  const replies = await Promise.all(
    texts.map(
      (text) =>
        new Promise<Obj>((resolve) => outbox.add({ status: 'private', receiver: 'Bob', text }, (r) => resolve(r))),
    ),
  );
  assert.ok(
    replies.every((r) => r.status === 'ok'),
    'every message was stored in the end',
  );
  assert.ok(link.refusals.length > 0, 'the flood limit refused some sends on the way (the pacing was exercised)');
  assert.ok(link.refusals.every((r) => r.code === 'rate_limited' && typeof r.retry_after_ms === 'number'));
  assert.deepEqual(await privateTexts(bob, 'Alice', texts.length), texts);
  // A refused message went again with its own id, never a new one.
  for (const text of texts)
    assert.equal(new Set(link.sent.filter((s) => s.text === text).map((s) => s.id)).size, 1, `${text}: one id`);
  assert.equal(outbox.pending.length, 0);
  await alice.close();
  await bob.close();
});

test('#14 web outbox: a message whose reply was lost with the connection goes again with its id after the reconnect and is delivered once', async () => {
  const server = await startServer();
  servers.push(server);
  const alice = await TestClient.as(server.port, 'Alice');
  const bob = await TestClient.as(server.port, 'Bob');
  const pending: number[] = [];
  const outbox = new Outbox((list) => pending.push(list.length));
  const first = new LineLink(alice, true);
  outbox.resume(first.asLink());
  const done = new Promise<Obj>((resolve) =>
    outbox.add({ status: 'private', receiver: 'Bob', text: 'did this arrive?' }, (r) => resolve(r)),
  );
  // The server stored and delivered it; its reply is lost as the connection drops.
  assert.deepEqual(await privateTexts(bob, 'Alice', 1), ['did this arrive?']);
  await alice.close();
  outbox.pause();
  assert.equal(outbox.pending.length, 1, 'the message waits for the reconnect');

  const again = await TestClient.back(server.port, alice);
  const second = new LineLink(again);
  outbox.resume(second.asLink());
  const reply = await done;
  assert.equal(reply.status, 'ok');
  assert.deepEqual(second.sent[0], first.sent[0], 'sent again with the same id');
  // A later message is the barrier: Bob gets it, and nothing in between (no second copy).
  await new Promise<Obj>((resolve) =>
    outbox.add({ status: 'private', receiver: 'Bob', text: 'and this' }, (r) => resolve(r)),
  );
  assert.deepEqual(await privateTexts(bob, 'Alice', 1), ['and this']);
  assert.ok(pending.includes(0) && pending.includes(1));
  await again.close();
  await bob.close();
});

/** A link whose every request fails with `fail` for a text starting "big", and is answered ok otherwise. */
class FakeLink {
  closed = false;
  readonly sent: string[] = [];
  constructor(private readonly fail: () => Error) {}
  request(request: ChatRequest): Promise<Obj> {
    this.sent.push(request.text);
    if (!request.text.startsWith('big')) return Promise.resolve({ status: 'ok', msgid: 1, seq: 1, ts: 0 });
    const err = this.fail();
    if (err instanceof LinkClosed) this.closed = true;
    return Promise.reject(err);
  }
  asLink(): Link {
    return this as unknown as Link;
  }
}

for (const [what, fail] of [
  ['refused before sending (frame past the limit)', () => new FrameTooLarge(70_000)],
  ['closed by the server with 1009', () => new LinkClosed(CLOSE_TOO_BIG)],
] as const) {
  test(`#14 web outbox: a message too large (${what}) is dropped with a too_large reply, not resent; the next goes`, async () => {
    const outbox = new Outbox(() => undefined);
    const first = new FakeLink(fail);
    outbox.resume(first.asLink());
    const replies: Obj[] = [];
    const done = new Promise<void>((resolve) => {
      outbox.add({ status: 'private', receiver: 'Bob', text: 'big one' }, (r) => replies.push(r));
      outbox.add({ status: 'private', receiver: 'Bob', text: 'next' }, (r) => {
        replies.push(r);
        resolve();
      });
    });
    // After a close, the outbox waits for the reconnect: a new link.
    const second = new FakeLink(fail);
    if (first.closed) outbox.resume(second.asLink());
    await done;
    assert.equal(replies[0]!.status, 'error');
    assert.equal(replies[0]!.code, 'too_large');
    assert.match(String(replies[0]!.text), /too large/);
    assert.equal(replies[1]!.status, 'ok');
    assert.deepEqual([...first.sent, ...second.sent], ['big one', 'next'], 'the big one went once');
    assert.equal(outbox.pending.length, 0);
  });
}
