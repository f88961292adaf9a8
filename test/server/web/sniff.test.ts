// Which protocol a socket's first bytes speak (issue #14, src/server/web/sniff.ts): an HTTP request
// line starts with an uppercase method and a space; a JSON line never does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify } from '../../../src/server/web/sniff.js';

test('#14 an uppercase method and a space is HTTP; JSON, white space and lowercase are the line protocol', () => {
  for (const line of [
    'GET / HTTP/1.1',
    'HEAD /x',
    'POST /',
    'OPTIONS * HTTP/1.1',
    'M-SEARCH * HTTP/1.1',
    'PRI * HTTP/2.0',
  ])
    assert.equal(classify(Buffer.from(line)), 'http', line);
  for (const line of [
    '{"status":"help"}',
    ' {"status":"help"}',
    '\n',
    'get / HTTP/1.1',
    'Get /',
    ' GET /',
    '-X /',
    '\u0016\u0003\u0001',
  ])
    assert.equal(classify(Buffer.from(line)), 'lines', JSON.stringify(line));
});

test('#14 a method cut short waits for more bytes; a "method" past 16 letters is not one', () => {
  for (const head of ['G', 'GE', 'GET', 'OPTIONS']) assert.equal(classify(Buffer.from(head)), null, head);
  assert.equal(classify(Buffer.alloc(0)), null);
  assert.equal(classify(Buffer.from('ABCDEFGHIJKLMNOPQ')), 'lines');
  assert.equal(classify(Buffer.from('ABCDEFGHIJKLMNOP ')), 'http');
});
