// Issue #15: the Redis bus's frame carries any payload bytes unchanged behind the sender's node id and
// numbering, and the numbering tells a lost message (a gap) and a resent one (a duplicate) apart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkNodeId, decodeFrame, encodeFrame } from '../../../src/server/bus/frame.js';
import { SequenceCheck, SequenceCounter } from '../../../src/server/bus/sequence-check.js';

test('#15 a frame round-trips any node id, epoch, seq and payload byte for byte', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, maxLength: 60 }),
      fc.integer({ min: 0, max: 0xffff_ffff }),
      fc.integer({ min: 1, max: 2 ** 48 - 1 }),
      fc.uint8Array({ maxLength: 2048 }),
      (fromNode, epoch, seq, bytes) => {
        const payload = Buffer.from(bytes);
        const decoded = decodeFrame(encodeFrame({ fromNode, epoch, seq, payload }));
        assert.ok(decoded);
        assert.equal(decoded.fromNode, fromNode);
        assert.equal(decoded.epoch, epoch);
        assert.equal(decoded.seq, seq);
        assert.ok(decoded.payload.equals(payload));
      },
    ),
  );
});

test('#15 bytes that are not a frame decode to null, and node ids must fit the header', () => {
  assert.equal(decodeFrame(Buffer.alloc(0)), null);
  assert.equal(decodeFrame(Buffer.from('{"json":true}')), null, 'another version byte');
  assert.equal(decodeFrame(Buffer.from([1, 5, 0x61])), null, 'cut short');
  assert.equal(decodeFrame(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])), null, 'an empty node id');
  assert.throws(() => checkNodeId(''));
  assert.throws(() => checkNodeId('é'.repeat(128)), /1 to 255 bytes/);
  checkNodeId('n'.repeat(255));
});

test('#15 the sequence check delivers the next message, drops a repeat, and reports a jump once', () => {
  const check = new SequenceCheck();
  assert.equal(check.check('t', 'a', 7, 40), 'deliver', 'a stream starts wherever this node joined it');
  assert.equal(check.check('t', 'a', 7, 41), 'deliver');
  assert.equal(check.check('t', 'a', 7, 41), 'duplicate', 'a PUBLISH resent after a reconnect');
  assert.equal(check.check('t', 'a', 7, 39), 'duplicate');
  assert.equal(check.check('t', 'a', 7, 43), 'gap', '42 never came');
  assert.equal(check.check('t', 'a', 7, 44), 'deliver');
  assert.equal(check.check('u', 'a', 7, 1), 'deliver', 'topics are numbered apart');
  assert.equal(check.check('t', 'b', 3, 9), 'deliver', 'publishers are numbered apart');
  assert.equal(check.check('t', 'a', 8, 1), 'deliver', 'a restarted publisher (new epoch) starts again');
  check.coverAll();
  assert.equal(check.check('t', 'a', 8, 5), 'deliver', 'a jump over a reconnect the bus already reported');
  assert.equal(check.check('t', 'a', 8, 7), 'gap', 'covering lasts one message');
  check.forgetTopic('t');
  assert.equal(check.check('t', 'a', 8, 20), 'deliver', 'what came while not subscribed was not lost');
});

test('#15 a publisher numbers each topic from 1', () => {
  const counter = new SequenceCounter();
  assert.deepEqual([counter.take('t'), counter.take('t'), counter.take('u'), counter.take('t')], [1, 2, 1, 3]);
  assert.ok(Number.isInteger(counter.epoch) && counter.epoch >= 0 && counter.epoch <= 0xffff_ffff, 'fits the header');
});
