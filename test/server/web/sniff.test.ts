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

test('#15 a PROXY header (either version) is its own kind, never HTTP or lines; its start waits for more', () => {
  const v2 = Buffer.from('\r\n\r\n\0\r\nQUIT\n\x21\x11\0\x0c', 'latin1');
  assert.equal(classify(v2), 'proxy');
  assert.equal(classify(Buffer.from('PROXY TCP4 192.0.2.1 127.0.0.1 1 2\r\n')), 'proxy');
  for (const head of ['\r', '\r\n', '\r\n\r\n\0', 'P', 'PROXY'])
    assert.equal(classify(Buffer.from(head)), null, JSON.stringify(head));
  // Near misses are what they were.
  assert.equal(classify(Buffer.from('\r\n{"status":"ping"}')), 'lines');
  assert.equal(classify(Buffer.from('\r\n\r\n{')), 'lines');
  assert.equal(classify(Buffer.from('PROXYX /')), 'http');
  assert.equal(classify(Buffer.from('POST /')), 'http');
});
