// Issue #11.9: "reserve capacity so real logins finish within 2 s under this attack". The hasher's
// slots keep one for addresses whose logins have not been failing: suspects (any number of them)
// hold at most all but one, and a freed slot goes to an address in good standing first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FairSlots } from '../../../src/server/auth/fair-slots.js';

/** Tracks which acquisitions have been granted, in order. */
function tracker(slots: FairSlots) {
  const granted: string[] = [];
  const take = (owner: string) => slots.acquire(owner).then(() => granted.push(owner));
  return { granted, take };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

test('#11.9 suspects never hold the kept slot: an address in good standing starts at once while attackers queue', async () => {
  const slots = new FairSlots(2, 16, 128, (owner) => owner.startsWith('attacker'));
  const { granted, take } = tracker(slots);
  for (const owner of ['attacker-a', 'attacker-b', 'attacker-c', 'attacker-a']) void take(owner);
  await settle();
  assert.deepEqual(granted, ['attacker-a'], 'suspects get all slots but one');
  void take('student');
  await settle();
  assert.deepEqual(granted, ['attacker-a', 'student'], 'the kept slot goes to the student at once');
  slots.release('student');
  await settle();
  assert.deepEqual(
    granted,
    ['attacker-a', 'student'],
    'the kept slot stays free for the next student, not for a suspect',
  );
  slots.release('attacker-a');
  await settle();
  assert.deepEqual(
    granted,
    ['attacker-a', 'student', 'attacker-b'],
    'a suspect slot passes to the next suspect in turn',
  );
});

test('#11.9 a freed slot goes to a waiting address in good standing before any suspect that waited longer', async () => {
  const slots = new FairSlots(2, 16, 128, (owner) => owner.startsWith('attacker'));
  const { granted, take } = tracker(slots);
  void take('student-1');
  void take('attacker-a');
  void take('attacker-b');
  void take('student-2');
  await settle();
  assert.deepEqual(granted, ['student-1', 'attacker-a']);
  slots.release('student-1');
  await settle();
  assert.deepEqual(granted, ['student-1', 'attacker-a', 'student-2']);
});
