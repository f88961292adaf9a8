// Unread bookkeeping and mentions (issue #12.6): what counts as unread, what clears it, the order /next
// takes, the bound on what is kept to be shown again, and which messages ring the bell.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Activity,
  activityText,
  KEPT_IN_ALL,
  KEPT_PER_CONVERSATION,
  mentions,
  ringsBell,
  unreadHeader,
} from '../../src/client/activity.js';
import type { Target } from '../../src/client/parse.js';
import type { Output, Phase } from '../../src/client/session.js';

const EVERYONE: Target = { kind: 'everyone', name: 'everyone' };
const LAB: Target = { kind: 'room', name: 'Lab' };
const BOB: Target = { kind: 'user', name: 'Bob' };

let msgid = 0;
function message(status: string, sender: string, receiver: string, text = 'hi', phase: Phase = 'live'): Output {
  return {
    type: 'message',
    phase,
    message: { status, sender, receiver, text, msgid: ++msgid, seq: msgid, ts: new Date().toISOString() },
  };
}
const inLab = (text = 'hi', phase: Phase = 'live') => message('group', 'Ann', 'Lab', text, phase);
const fromBob = (text = 'hi', phase: Phase = 'live') => message('private', 'Bob', 'Me', text, phase);
const toEveryone = (text = 'hi', phase: Phase = 'live') => message('broadcast', 'Ann', 'everyone', text, phase);

function counts(activity: Activity): string {
  return activityText(activity.list());
}

test('#12.6 messages in conversations other than the current one are counted, per conversation', () => {
  const activity = new Activity(() => 'Me');
  for (const output of [inLab(), inLab(), fromBob(), inLab(), toEveryone(), toEveryone()])
    activity.note(output, EVERYONE);
  assert.equal(counts(activity), 'Act: Lab:3 @Bob:1', 'the current conversation (everyone) is not counted');
  for (const output of [toEveryone(), toEveryone()]) activity.note(output, LAB);
  assert.equal(counts(activity), 'Act: Lab:3 @Bob:1 everyone:2', 'everyone is counted when it is not the current one');
  // Names differ in case only: the same conversation.
  activity.note(message('group', 'Ann', 'LAB'), EVERYONE);
  assert.equal(counts(activity), 'Act: Lab:4 @Bob:1 everyone:2');
});

test('#12.6 waiting and caught-up messages count; history, own messages, re-shown ones and system lines do not', () => {
  const activity = new Activity(() => 'Me');
  activity.note(inLab('a', 'waiting'), EVERYONE);
  activity.note(inLab('b', 'missed'), EVERYONE);
  activity.note(inLab('c', 'history'), EVERYONE);
  activity.note(inLab('d', 'unread'), EVERYONE);
  activity.note(message('system', 'server', 'Lab', 'Ann joined Lab'), EVERYONE);
  activity.note(message('group', 'me', 'Lab', 'from my other terminal'), EVERYONE);
  activity.note({ type: 'info', text: 'talking to Lab' }, EVERYONE);
  assert.equal(counts(activity), 'Act: Lab:2');
  assert.deepEqual(
    activity.list()[0]!.messages.map((m) => m.text),
    ['a', 'b'],
  );
});

test('#12.6 switching to a conversation or writing to it clears its count', () => {
  const activity = new Activity(() => 'Me');
  for (const output of [inLab(), fromBob(), toEveryone()]) activity.note(output, { kind: 'room', name: 'Other' });
  activity.read({ kind: 'user', name: 'bob' });
  assert.equal(counts(activity), 'Act: Lab:1 everyone:1');
  // Sent to Lab without switching there (`/group Lab …`, `Lab: …`): read.
  activity.note(message('group', 'Me', 'Lab', 'answer', 'own'), EVERYONE);
  assert.equal(counts(activity), 'Act: everyone:1');
  // A private message of our own names the other user as receiver.
  activity.note(fromBob(), EVERYONE);
  activity.note(message('private', 'Me', 'Bob', 'answer', 'own'), EVERYONE);
  activity.read(EVERYONE);
  assert.equal(counts(activity), '');
});

test('#12.6 /next takes conversations that mention you first, then in the order they became unread, with their messages', () => {
  const activity = new Activity(() => 'Me');
  activity.note(fromBob('one'), EVERYONE);
  activity.note(inLab('two'), EVERYONE);
  activity.note(inLab('me? yes, me: hello'), EVERYONE);
  assert.equal(counts(activity), 'Act: Lab:2 @Bob:1');
  const first = activity.next()!;
  assert.deepEqual(
    { target: first.target, count: first.count, mention: first.mention },
    { target: LAB, count: 2, mention: true },
  );
  assert.deepEqual(
    first.messages.map((m) => m.text),
    ['two', 'me? yes, me: hello'],
  );
  assert.equal(unreadHeader(first), '2 unread in Lab');
  assert.equal(counts(activity), 'Act: @Bob:1', 'taken off the list');
  assert.deepEqual(activity.next()!.target, BOB);
  assert.equal(activity.next(), null);
});

test('#12.6 what is kept to show again is bounded per conversation and in all; the count is not', () => {
  const activity = new Activity(() => 'Me');
  for (let i = 0; i < KEPT_PER_CONVERSATION + 5; i++) activity.note(inLab(`lab ${i}`), EVERYONE);
  const lab = activity.list()[0]!;
  assert.equal(lab.count, KEPT_PER_CONVERSATION + 5);
  assert.equal(lab.messages.length, KEPT_PER_CONVERSATION);
  assert.equal(lab.messages[0]!.text, 'lab 5', 'the oldest go first');
  assert.equal(unreadHeader(lab), `105 unread in Lab (the last 100 shown; /history Lab 105 for more)`);
  // Many conversations: the oldest kept messages of all go, whichever conversation they are in.
  for (let u = 0; u < KEPT_IN_ALL / 10; u++)
    for (let i = 0; i < 10; i++) activity.note(message('private', `u${u}`, 'Me', `${u}/${i}`), EVERYONE);
  const list = activity.list();
  assert.equal(
    list.reduce((sum, u) => sum + u.messages.length, 0),
    KEPT_IN_ALL,
  );
  assert.equal(list[0]!.messages.length, 0, 'Lab, the oldest, gave up its kept messages first');
  assert.equal(list[0]!.count, KEPT_PER_CONVERSATION + 5);
  assert.equal(list.at(-1)!.messages.length, 10);
});

test('#12.6 a mention is the name as a word, in any case', () => {
  for (const text of ['Me', 'hi me', 'ME: look', '@me thanks', 'thanks, me.', "me's notes", '(me)'])
    assert.equal(mentions(text, 'Me'), true, text);
  for (const text of ['meet', 'some', 'me2', 'me_too', 'me.com', 'x-me', 'acme'])
    assert.equal(mentions(text, 'Me'), false, text);
  assert.equal(mentions('ask j.doe-2 about it', 'J.Doe-2'), true, 'names with dots and dashes');
  assert.equal(mentions('ask jxdoe-2', 'j.doe-2'), false, 'a dot in a name is not any character');
});

test('#12.6 the bell rings for a mention by someone else as it comes, waits or is caught up; not for history, own or re-shown messages', () => {
  assert.equal(ringsBell(inLab('me?'), 'Me'), true);
  assert.equal(ringsBell(fromBob('hey me', 'waiting'), 'Me'), true);
  assert.equal(ringsBell(toEveryone('me!', 'missed'), 'Me'), true);
  assert.equal(ringsBell(inLab('me?', 'history'), 'Me'), false);
  assert.equal(ringsBell(inLab('me?', 'unread'), 'Me'), false);
  assert.equal(ringsBell(message('group', 'Me', 'Lab', 'me myself', 'own'), 'Me'), false);
  assert.equal(ringsBell(inLab('nothing for you'), 'Me'), false);
  assert.equal(ringsBell({ type: 'info', text: 'me' }, 'Me'), false);
});
