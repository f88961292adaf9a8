// The hand-built encoders of the hot path must produce exactly what JSON.stringify would, for any text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeJson, encodeMessage, encodeSentReply, toWire } from '../../../src/server/chat/encode.js';
import type { StoredMessage } from '../../../src/server/store/store.js';

const base: StoredMessage = {
  id: 42,
  convId: 3,
  seq: 7,
  kind: 'group',
  event: null,
  senderId: 1,
  sender: 'Alice.B_c-9',
  receiver: 'CS350',
  text: 'hi',
  ts: '2026-11-21T09:00:00.123Z',
};

const TEXTS = [
  'plain',
  'quote " backslash \\ slash /',
  'new\nline\ttab\r',
  'control \u0000\u001f\u007f',
  'é€😀 and a lone \ud800 surrogate',
  '</script>',
  '{"status":"ok"}',
];

test('encodeMessage equals JSON of the wire object for every kind and awkward text', () => {
  for (const kind of ['private', 'group', 'broadcast', 'system'] as const) {
    for (const text of TEXTS) {
      const m: StoredMessage = { ...base, kind, text, event: kind === 'system' ? 'join' : null };
      const fast = encodeMessage(m);
      assert.equal(fast.toString(), encodeJson(toWire(m)).toString());
      assert.deepEqual(JSON.parse(fast.toString()), toWire(m));
    }
  }
});

test('encodeSentReply carries ref, msgid, seq, ts and receiver, with or without a ref', () => {
  for (const ref of [undefined, 1, 'a "quoted" id', 'x\ny']) {
    const reply = JSON.parse(
      encodeSentReply(ref, base, `,"queued":true,"text":${JSON.stringify('Bob "is" away')}`).toString(),
    );
    const expected: Record<string, unknown> = {
      status: 'ok',
      msgid: 42,
      seq: 7,
      ts: base.ts,
      receiver: 'CS350',
      queued: true,
      text: 'Bob "is" away',
    };
    if (ref !== undefined) expected.ref = ref;
    assert.deepEqual(reply, expected);
  }
});
