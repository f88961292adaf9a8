// How the client shows lines (issue #3): time, conversation and sender on every chat line; a colour per
// kind (private, room, broadcast, system, error) on a terminal, and none with NO_COLOR or in a pipe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Renderer } from '../../src/client/render.js';

const now = () => new Date('2026-11-21T12:00:00');
const ts = new Date('2026-11-21T09:05:00').toISOString();
const msg = (status: string, sender: string, receiver: string) => ({
  type: 'message' as const,
  phase: 'live' as const,
  message: { status, sender, receiver, text: 'hi', ts, msgid: 1, seq: 1 },
});

test('chat lines carry the time, the conversation and the sender', () => {
  const r = new Renderer(() => 'Me', false, now);
  assert.equal(r.render(msg('group', 'Ann', 'CS350')), '09:05 [CS350] <Ann> hi');
  assert.equal(r.render(msg('private', 'Ann', 'Me')), '09:05 [@Ann] <Ann> hi');
  assert.equal(r.render(msg('private', 'Me', 'Ann')), '09:05 [@Ann] <Me> hi');
  assert.equal(r.render(msg('broadcast', 'Ann', 'everyone')), '09:05 [everyone] <Ann> hi');
  assert.equal(
    r.render({
      type: 'message',
      phase: 'waiting',
      message: { status: 'system', sender: 'Ann', receiver: 'CS350', text: 'Ann joined CS350', ts, event: 'join' },
    }),
    '09:05 [CS350] * Ann joined CS350',
  );
  assert.equal(r.render({ type: 'error', text: 'no such user' }), '! no such user');
});

test('a message from another day shows its date', () => {
  const r = new Renderer(() => 'Me', false, now);
  const old = {
    ...msg('group', 'Ann', 'CS350'),
    message: { ...msg('group', 'Ann', 'CS350').message, ts: new Date('2026-11-19T08:00:00').toISOString() },
  };
  assert.equal(r.render(old), '11-19 08:00 [CS350] <Ann> hi');
});

/* eslint-disable no-control-regex -- the colours are ANSI escape sequences: matching them means matching ESC (\x1b) */
test('colours tell the kinds apart, and there are none when colour is off', () => {
  const colored = new Renderer(() => 'Me', true, now);
  const codes = ['private', 'group', 'broadcast'].map(
    (k) => /\x1b\[([\d;]+)m\[/.exec(colored.render(msg(k, 'Ann', k === 'group' ? 'R' : 'Me'))!)![1],
  );
  codes.push(/\x1b\[([\d;]+)m/.exec(colored.render({ type: 'error', text: 'x' })!)![1]);
  codes.push(/\x1b\[([\d;]+)m/.exec(colored.render({ type: 'event', message: { text: 'Ann is online', ts } })!)![1]);
  assert.equal(new Set(codes).size, 5, `distinct colours: ${codes.join(' ')}`);
  const plain = new Renderer(() => 'Me', false, now);
  for (const k of ['private', 'group', 'broadcast']) assert.doesNotMatch(plain.render(msg(k, 'Ann', 'Me'))!, /\x1b/);
});
/* eslint-enable no-control-regex */

test("#12.7 a file message names its sender once: '<Me> sent notes.pdf', not '<Me> Me sent'", () => {
  const r = new Renderer(() => 'Me', false, now);
  const file = (sender: string, receiver: string) => ({
    type: 'message' as const,
    phase: 'own' as const,
    message: {
      status: 'group',
      sender,
      receiver,
      text: `${sender} sent notes.pdf (2.4 MB) [id 7] - /get 7`,
      file: 7,
      ts,
      msgid: 3,
      seq: 2,
    },
  });
  assert.equal(r.render(file('Me', 'CS350')), '09:05 [CS350] <Me> sent notes.pdf (2.4 MB) [id 7] - /get 7');
  assert.equal(r.render(file('Ann', 'CS350')), '09:05 [CS350] <Ann> sent notes.pdf (2.4 MB) [id 7] - /get 7');
  // An ordinary message that happens to start with the name is left alone.
  assert.equal(
    r.render({
      ...msg('group', 'Me', 'CS350'),
      message: { ...msg('group', 'Me', 'CS350').message, text: 'Me sent it' },
    }),
    '09:05 [CS350] <Me> Me sent it',
  );
});

test('#12.2 a multi-line message keeps its continuation lines indented under its text', () => {
  const r = new Renderer(() => 'Me', false, now);
  const block = {
    ...msg('group', 'Ann', 'CS350'),
    message: { ...msg('group', 'Ann', 'CS350').message, text: 'one\ntwo\n\nfour' },
  };
  const pad = ' '.repeat('09:05 [CS350] <Ann> '.length);
  assert.equal(r.render(block), `09:05 [CS350] <Ann> one\n${pad}two\n\n${pad}four`);
  // A long prefix (a long room name) indents at most 24 columns.
  const long = { ...block, message: { ...block.message, receiver: 'a-very-long-room-name-indeed' } };
  assert.equal(r.render(long)!.split('\n')[1], `${' '.repeat(24)}two`);
});

test("#12.6 your name in someone else's message is highlighted (as a word, any case); not in your own, nor without colour", () => {
  const colored = new Renderer(() => 'Me', true, now);
  const line = colored.render({
    ...msg('group', 'Ann', 'CS350'),
    message: { ...msg('group', 'Ann', 'CS350').message, text: 'ask me or ME, not meet' },
  })!;
  assert.ok(
    line.endsWith(`ask ${colored.highlight('me')} or ${colored.highlight('ME')}, not meet`),
    JSON.stringify(line),
  );
  assert.notEqual(colored.highlight('me'), 'me');
  const own = colored.render({
    ...msg('group', 'Me', 'CS350'),
    message: { ...msg('group', 'Me', 'CS350').message, text: 'me again' },
  })!;
  assert.ok(own.endsWith(' me again'), JSON.stringify(own));
  const plain = new Renderer(() => 'Me', false, now);
  assert.equal(
    plain.render({
      ...msg('group', 'Ann', 'CS350'),
      message: { ...msg('group', 'Ann', 'CS350').message, text: 'ask me' },
    }),
    '09:05 [CS350] <Ann> ask me',
  );
});
