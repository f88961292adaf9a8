// The terminal client's command language (issue #3): every slash command and alias, the seeds' forms,
// the `Name: text` rule, and a usage hint (never an exception) for anything malformed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helpText } from '../../src/client/help.js';
import { parseLine, type ParseContext, type Target } from '../../src/client/parse.js';

const everyone: Target = { kind: 'everyone', name: 'everyone' };
function ctx(current: Target = everyone): ParseContext {
  return {
    current,
    isMyRoom: (n) => ['cs350', 'groupstudent'].includes(n.toLowerCase()),
    isKnownUser: (n) => ['bob', 'alice'].includes(n.toLowerCase()),
  };
}
const room = (name: string): Target => ({ kind: 'room', name });
const user = (name: string): Target => ({ kind: 'user', name });

test('plain text goes to the current conversation', () => {
  assert.deepEqual(parseLine('hello all', ctx()), { kind: 'send', to: everyone, text: 'hello all' });
  assert.deepEqual(parseLine('hi team', ctx(room('CS350'))), { kind: 'send', to: room('CS350'), text: 'hi team' });
  assert.deepEqual(parseLine('   ', ctx()), { kind: 'none' });
});

test('/private, /msg and /dm send to a user and switch to them; without text they only switch', () => {
  for (const cmd of ['/private', '/msg', '/dm', '/PRIVATE']) {
    assert.deepEqual(parseLine(`${cmd} Bob how are you?`, ctx()), {
      kind: 'send',
      to: user('Bob'),
      text: 'how are you?',
      switchTo: true,
    });
  }
  assert.deepEqual(parseLine('/msg Bob', ctx()), { kind: 'switch', to: user('Bob') });
  assert.equal(parseLine('/private', ctx()).kind, 'usage');
});

test('/group, /join, /create, /leave, /switch', () => {
  assert.deepEqual(parseLine('/group CS350 great professor', ctx()), {
    kind: 'send',
    to: room('CS350'),
    text: 'great professor',
  });
  assert.equal(parseLine('/group CS350', ctx()).kind, 'usage');
  assert.deepEqual(parseLine('/join Volleyball', ctx()), { kind: 'join', room: 'Volleyball' });
  assert.equal(parseLine('/join bad/name', ctx()).kind, 'usage');
  assert.deepEqual(parseLine('/create group413 Alice, Bob,John,Mary', ctx()), {
    kind: 'create',
    room: 'group413',
    members: ['Alice', 'Bob', 'John', 'Mary'],
  });
  assert.deepEqual(parseLine('/create CS350', ctx()), { kind: 'create', room: 'CS350', members: [] });
  assert.deepEqual(parseLine('/leave', ctx(room('CS350'))), { kind: 'leave', room: 'CS350' });
  assert.deepEqual(parseLine('/leave Volleyball', ctx()), { kind: 'leave', room: 'Volleyball' });
  assert.equal(parseLine('/leave', ctx()).kind, 'usage');
  assert.deepEqual(parseLine('/switch everyone', ctx(room('CS350'))), { kind: 'switch', to: everyone });
  assert.deepEqual(parseLine('/switch cs350', ctx()), { kind: 'switch', to: room('cs350') });
  assert.deepEqual(parseLine('/switch Bob', ctx()), { kind: 'switch', to: user('Bob') });
  assert.deepEqual(parseLine('/switch @Carol', ctx()), { kind: 'switch', to: user('Carol') });
});

test('/who, /list, /rooms, /members, /history, /help and /menu, /exit and /quit', () => {
  assert.deepEqual(parseLine('/who', ctx()), { kind: 'who' });
  assert.deepEqual(parseLine('/list', ctx()), { kind: 'list' });
  assert.deepEqual(parseLine('/rooms', ctx()), { kind: 'rooms' });
  assert.deepEqual(parseLine('/members CS350', ctx()), { kind: 'members', room: 'CS350' });
  assert.equal(parseLine('/members', ctx()).kind, 'usage');
  assert.equal(parseLine('/members a b', ctx()).kind, 'usage');
  assert.deepEqual(parseLine('/history', ctx()), { kind: 'history', target: null, count: 20 });
  assert.deepEqual(parseLine('/history 5', ctx()), { kind: 'history', target: null, count: 5 });
  assert.deepEqual(parseLine('/history CS350 50', ctx()), { kind: 'history', target: room('CS350'), count: 50 });
  assert.deepEqual(parseLine('/history Bob', ctx()), { kind: 'history', target: user('Bob'), count: 20 });
  assert.equal(parseLine('/history CS350 0', ctx()).kind, 'usage');
  assert.equal(parseLine('/history a b', ctx()).kind, 'usage');
  assert.deepEqual(parseLine('/help', ctx()), { kind: 'help' });
  assert.deepEqual(parseLine('/menu', ctx()), { kind: 'help' });
  assert.deepEqual(parseLine('/exit', ctx()), { kind: 'exit' });
  assert.deepEqual(parseLine('/quit', ctx()), { kind: 'exit' });
  assert.equal(parseLine('/who extra', ctx()).kind, 'usage');
});

test('an unknown command gets a one-line hint', () => {
  const action = parseLine('/frobnicate now', ctx());
  assert.equal(action.kind, 'usage');
  assert.match((action as { text: string }).text, /unknown command \/frobnicate.*\/help/);
});

test('Name: text sends to a known user or one of your rooms, and is ordinary text otherwise', () => {
  assert.deepEqual(parseLine('Bob:Hello Bob!', ctx()), { kind: 'send', to: user('Bob'), text: 'Hello Bob!' });
  assert.deepEqual(parseLine('groupStudent: hello guys!', ctx()), {
    kind: 'send',
    to: room('groupStudent'),
    text: 'hello guys!',
  });
  assert.deepEqual(parseLine('Note: exam on Friday', ctx()), {
    kind: 'send',
    to: everyone,
    text: 'Note: exam on Friday',
  });
  assert.deepEqual(parseLine('bob:', ctx()), { kind: 'send', to: everyone, text: 'bob:' });
});

test("seed 004's JOIN, MSG, LEAVE, LIST, HELP, QUIT and seed 002's server:who and server:exit", () => {
  assert.deepEqual(parseLine('JOIN general', ctx()), { kind: 'join', room: 'general' });
  assert.deepEqual(parseLine('MSG Hello everyone!', ctx(room('general'))), {
    kind: 'send',
    to: room('general'),
    text: 'Hello everyone!',
  });
  assert.deepEqual(parseLine('MSG john:Hey, how are you?', ctx()), {
    kind: 'send',
    to: user('john'),
    text: 'Hey, how are you?',
  });
  assert.deepEqual(parseLine('LEAVE', ctx(room('general'))), { kind: 'leave', room: 'general' });
  assert.equal(parseLine('LEAVE', ctx()).kind, 'usage');
  assert.deepEqual(parseLine('LIST', ctx()), { kind: 'list' });
  assert.deepEqual(parseLine('HELP', ctx()), { kind: 'help' });
  assert.deepEqual(parseLine('QUIT', ctx()), { kind: 'exit' });
  assert.deepEqual(parseLine('server:who', ctx()), { kind: 'who' });
  assert.deepEqual(parseLine('server:exit', ctx()), { kind: 'exit' });
  // lower-case words are chat, as seed 002 says of text typed in a room
  assert.deepEqual(parseLine('join me later', ctx()), { kind: 'send', to: everyone, text: 'join me later' });
});

test('/send, /files and /get (issue #5): paths keep their spaces, quotes are removed, ids are numbers', () => {
  assert.deepEqual(parseLine('/send Bob notes.pdf', ctx()), { kind: 'send-file', receiver: 'Bob', path: 'notes.pdf' });
  assert.deepEqual(parseLine('/send @Bob my  lecture notes.pdf', ctx()), {
    kind: 'send-file',
    receiver: 'Bob',
    path: 'my  lecture notes.pdf',
  });
  assert.deepEqual(parseLine('/send #CS350 "my notes.pdf"', ctx()), {
    kind: 'send-file',
    receiver: 'CS350',
    path: 'my notes.pdf',
  });
  assert.equal(parseLine('/send Bob', ctx()).kind, 'usage');
  assert.equal(parseLine('/send', ctx()).kind, 'usage');
  assert.deepEqual(parseLine('/files', ctx()), { kind: 'files', receiver: null });
  assert.deepEqual(parseLine('/files CS350', ctx()), { kind: 'files', receiver: 'CS350' });
  assert.deepEqual(parseLine('/files @Bob', ctx()), { kind: 'files', receiver: 'Bob' });
  assert.equal(parseLine('/files a b', ctx()).kind, 'usage');
  assert.deepEqual(parseLine('/get 7', ctx()), { kind: 'get', file: 7, dir: null });
  assert.deepEqual(parseLine("/get 7 'My Downloads'", ctx()), { kind: 'get', file: 7, dir: 'My Downloads' });
  assert.deepEqual(parseLine('/get 12 ~/in', ctx()), { kind: 'get', file: 12, dir: '~/in' });
  for (const bad of ['/get', '/get x', '/get 0', '/get -1', '/get 1.5', '/get 99999999999999999999'])
    assert.equal(parseLine(bad, ctx()).kind, 'usage', bad);
});

test('#11.6 /rooms more, /who more and /members <room> more ask for the next page of a listing', () => {
  assert.deepEqual(parseLine('/rooms more', ctx()), { kind: 'rooms', more: true });
  assert.deepEqual(parseLine('/who more', ctx()), { kind: 'who', more: true });
  assert.deepEqual(parseLine('/members CS350 more', ctx()), { kind: 'members', room: 'CS350', more: true });
  assert.equal(parseLine('/rooms everything', ctx()).kind, 'usage');
});

test('#12.7 a line starting with // sends a literal / to the current conversation', () => {
  assert.deepEqual(parseLine('//shrug', ctx()), { kind: 'send', to: everyone, text: '/shrug' });
  assert.deepEqual(parseLine('//help me', ctx(room('CS350'))), { kind: 'send', to: room('CS350'), text: '/help me' });
  assert.deepEqual(parseLine('/', ctx()).kind, 'usage');
});

test('#12.7 /members without a room means the current room; outside a room it is a usage error', () => {
  assert.deepEqual(parseLine('/members', ctx(room('CS350'))), { kind: 'members', room: 'CS350' });
  assert.deepEqual(parseLine('/members more', ctx(room('CS350'))), { kind: 'members', room: 'CS350', more: true });
  assert.deepEqual(parseLine('/members Lab more', ctx(room('CS350'))), { kind: 'members', room: 'Lab', more: true });
  assert.deepEqual(parseLine('/members Lab', ctx(room('CS350'))), { kind: 'members', room: 'Lab' });
  assert.match((parseLine('/members', ctx(user('Bob'))) as { text: string }).text, /not in a room/);
});

test('#12.5 /kick, /mute, /unmute, /delete, /users, /password and /register', () => {
  // A room is one of yours or marked with #; any other word starts the reason (an admin's server-wide kick).
  assert.deepEqual(parseLine('/kick Bob', ctx()), { kind: 'kick', user: 'Bob', room: null, reason: null });
  assert.deepEqual(parseLine('/kick @Bob spamming the room', ctx()), {
    kind: 'kick',
    user: 'Bob',
    room: null,
    reason: 'spamming the room',
  });
  assert.deepEqual(parseLine('/kick Bob CS350 off topic', ctx()), {
    kind: 'kick',
    user: 'Bob',
    room: 'CS350',
    reason: 'off topic',
  });
  assert.deepEqual(parseLine('/kick Bob #Lab', ctx()), { kind: 'kick', user: 'Bob', room: 'Lab', reason: null });
  assert.equal(parseLine('/kick', ctx()).kind, 'usage');
  assert.deepEqual(parseLine('/mute Bob 10m cool down', ctx()), {
    kind: 'mute',
    user: 'Bob',
    seconds: 600,
    reason: 'cool down',
  });
  assert.deepEqual(parseLine('/mute Bob 90', ctx()), { kind: 'mute', user: 'Bob', seconds: 90, reason: null });
  assert.deepEqual(parseLine('/mute Bob 1h30m', ctx()), { kind: 'mute', user: 'Bob', seconds: 5400, reason: null });
  assert.deepEqual(parseLine('/mute Bob 30d', ctx()), {
    kind: 'mute',
    user: 'Bob',
    seconds: 30 * 86_400,
    reason: null,
  });
  for (const bad of ['/mute Bob', '/mute Bob soon', '/mute Bob 0', '/mute Bob 31d', '/mute Bob 10x', '/mute'])
    assert.equal(parseLine(bad, ctx()).kind, 'usage', bad);
  assert.deepEqual(parseLine('/unmute Bob', ctx()), { kind: 'mute', user: 'Bob', seconds: 0, reason: null });
  assert.equal(parseLine('/unmute', ctx()).kind, 'usage');
  assert.deepEqual(parseLine('/delete #CS350', ctx()), { kind: 'delete', room: 'CS350' });
  assert.equal(parseLine('/delete', ctx(room('CS350'))).kind, 'usage', 'a room is deleted only when named');
  assert.deepEqual(parseLine('/users', ctx()), { kind: 'users' });
  assert.deepEqual(parseLine('/users more', ctx()), { kind: 'users', more: true });
  assert.deepEqual(parseLine('/password', ctx()), { kind: 'password' });
  assert.deepEqual(parseLine('/register', ctx()), { kind: 'register' });
  assert.equal(parseLine('/password hunter2', ctx()).kind, 'usage', 'a password is never typed on the command line');
  // Their /help lines fit 80 columns.
  for (const line of helpText()
    .split('\n')
    .filter((l) => /^ {2}\/(kick|mute|unmute|delete|users|password|register)\b/.test(l)))
    assert.ok(line.length <= 80, line);
});

test('#12.6 /next goes to the next conversation with unread messages; /help names it and its key within 80 columns', () => {
  assert.deepEqual(parseLine('/next', ctx()), { kind: 'next' });
  assert.deepEqual(parseLine('/NEXT', ctx()), { kind: 'next' });
  assert.equal(parseLine('/next Lab', ctx()).kind, 'usage');
  const line = helpText()
    .split('\n')
    .find((l) => l.includes('/next'));
  assert.ok(line && line.includes('Alt-a') && line.length <= 80, `${line}`);
});
