/**
 * Assertions shared by the server tests, built on TestClient. None of them sleeps: "nothing arrived" is
 * shown with a barrier (a round trip on the same socket: the server writes a client's output in order, so
 * anything sent to it before the barrier's reply has arrived by then).
 */
import assert from 'node:assert/strict';
import type { MessageClient, Obj, TestClient } from './client.js';

const DEFAULT_TIMEOUT_MS = 3000;

/** Sends `request` and asserts the reply is an error with `code`; returns the reply. */
export async function expectError(client: MessageClient, request: Obj, code: string): Promise<Obj> {
  const reply = await client.request(request);
  assert.equal(
    reply.status,
    'error',
    `${client.label}: expected error ${code} for ${JSON.stringify(request).slice(0, 200)}, got ${JSON.stringify(reply)}`,
  );
  assert.equal(
    reply.code,
    code,
    `${client.label}: wrong error code for ${JSON.stringify(request).slice(0, 200)}: ${JSON.stringify(reply)}`,
  );
  assert.equal(typeof reply.text, 'string');
  assert.ok(reply.text.length > 0, 'an error reply carries a human-readable text');
  return reply;
}

/** Waits for an error reply that has no `ref` (input the server could not attach an id to). */
export async function expectUnrefError(client: MessageClient, code: string, what: string): Promise<Obj> {
  const reply = await client.waitFor(
    (m) => m.status === 'error' && m.ref === undefined,
    DEFAULT_TIMEOUT_MS,
    `an error reply to ${what}`,
  );
  assert.equal(reply.code, code, `${client.label}: wrong error code for ${what}: ${JSON.stringify(reply)}`);
  assert.equal(typeof reply.text, 'string');
  return reply;
}

/** A round trip on `client` (help works before and after register). */
export async function barrier(client: MessageClient): Promise<void> {
  const reply = await client.request({ status: 'help' });
  assert.equal(reply.status, 'ok', `${client.label}: barrier (help) failed: ${JSON.stringify(reply)}`);
}

/** After a barrier, asserts that nothing `client` ever received matches `match`. */
export async function assertNotReceived(
  client: MessageClient,
  match: (m: Obj) => boolean,
  what: string,
): Promise<void> {
  await barrier(client);
  const found = client.received.filter(match);
  assert.deepEqual(found, [], `${client.label} should not have received ${what}`);
}

/** Resolves with `promise`, or rejects after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Asserts that the server closes `client`'s connection within the timeout. */
export async function expectClosed(client: TestClient, ms = DEFAULT_TIMEOUT_MS): Promise<void> {
  await withTimeout(client.closed, ms, `${client.label}'s connection to close`);
  assert.equal(client.isClosed, true);
}

let flows = 0;

/**
 * Asserts that a private message from `from` reaches `to` live, with the right sender (both clients were
 * made with TestClient.as, so their labels are their names).
 */
export async function assertPrivateFlows(from: MessageClient, to: MessageClient): Promise<void> {
  const text = `still chatting #${++flows}`;
  const sent = await from.ok({ status: 'private', receiver: to.label, text });
  const got = await to.event('private', { msgid: sent.msgid });
  assert.equal(got.text, text);
  assert.equal(got.sender, from.label);
  assert.equal(got.receiver, to.label);
}

/** The objects `client` received after `reply` (by identity), up to but not including `until` if given. */
export function receivedBetween(client: MessageClient, reply: Obj, until?: Obj): Obj[] {
  const start = client.received.indexOf(reply);
  assert.notEqual(start, -1, 'the reply is among the received objects');
  const end = until === undefined ? client.received.length : client.received.indexOf(until);
  assert.notEqual(end, -1, 'the closing object is among the received objects');
  return client.received.slice(start + 1, end);
}

/** A whole conversation's history, oldest first, read page by page backwards from the newest. */
export async function fullHistory(client: MessageClient, receiver: string): Promise<Obj[]> {
  const history: Obj[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await client.ok({
      status: 'history',
      receiver,
      limit: 200,
      ...(before !== undefined ? { before } : {}),
    });
    history.unshift(...page.messages);
    if (!page.more || page.messages.length === 0) return history;
    before = page.messages[0].seq;
  }
}
