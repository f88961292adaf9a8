// wellFormedRequest (issue #11.15): every string of a parsed request, keys and nested arrays included,
// loses its lone surrogates; pairs and ordinary text are left alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wellFormed, wellFormedRequest } from '../../src/protocol/well-formed.js';

test('#11.15 wellFormed: lone high and low surrogates become U+FFFD, pairs stay', () => {
  assert.equal(wellFormed('\ud800'), '\ufffd');
  assert.equal(wellFormed('\udc00\ud800'), '\ufffd\ufffd');
  assert.equal(wellFormed('a\ud83d\ude00b'), 'a\ud83d\ude00b');
  assert.equal(wellFormed('\ud83d\ud83d\ude00'), '\ufffd\ud83d\ude00');
});

test('#11.15 wellFormedRequest: every string of a request, in arrays and keys, without touching __proto__', () => {
  const line =
    '{"status":"create","receiver":"R\\ud800","members":["a\\udc00",["\\ud801"]],"k\\ud800":1,"__proto__":"\\ud800"}';
  const request = wellFormedRequest(JSON.parse(line) as Record<string, unknown>, line);
  assert.equal(request.receiver, 'R\ufffd');
  assert.deepEqual(request.members, ['a\ufffd', ['\ufffd']]);
  assert.equal(request['k\ufffd'], 1);
  assert.equal(Object.getOwnPropertyDescriptor(request, '__proto__')?.value, '\ufffd');
  assert.equal(Object.getPrototypeOf(request), Object.prototype);
  const plain = '{"status":"help"}';
  const parsed = JSON.parse(plain);
  assert.equal(wellFormedRequest(parsed, plain), parsed);
});

test('#11.15 wellFormedRequest: arrays nested thousands deep are walked without running out of stack', () => {
  const depth = 50_000;
  const line = '{"status":"help","x":' + '['.repeat(depth) + '"\\ud800"' + ']'.repeat(depth) + '}';
  const request = wellFormedRequest(JSON.parse(line) as Record<string, unknown>, line);
  let inner: unknown = request.x;
  for (let i = 0; i < depth; i++) inner = (inner as unknown[])[0];
  assert.equal(inner, '\ufffd');
});
