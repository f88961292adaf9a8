// safeFileName and formatBytes (issue #5): names from other people are cleaned the same way by the
// server (before showing them) and the client (before saving).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, MAX_FILE_NAME_BYTES, safeFileName } from '../../src/protocol/file-names.js';

test('safeFileName: keeps an ordinary name as it is', () => {
  assert.equal(safeFileName('notes.pdf'), 'notes.pdf');
  assert.equal(safeFileName('Übung 3 – Lösung.tex'), 'Übung 3 – Lösung.tex');
});

test('safeFileName: only the last path part, on either separator', () => {
  assert.equal(safeFileName('/etc/passwd'), 'passwd');
  assert.equal(safeFileName('..\\..\\boot.ini'), 'boot.ini');
  assert.equal(safeFileName('dir/'), 'file');
});

test('safeFileName: no control or bidi characters, no leading dots, no trailing dots or spaces', () => {
  assert.equal(safeFileName('a\u0000b\u0007c\u009b.txt'), 'abc.txt');
  assert.equal(safeFileName('photo\u202egnp.exe'), 'photognp.exe');
  assert.equal(safeFileName('...hidden'), 'hidden');
  assert.equal(safeFileName('name. . '), 'name');
  assert.equal(safeFileName('.'), 'file');
  assert.equal(safeFileName(''), 'file');
});

test('safeFileName: reserved characters and device names', () => {
  assert.equal(safeFileName('a:b*c?.txt'), 'a_b_c_.txt');
  assert.equal(safeFileName('nul'), '_nul');
  assert.equal(safeFileName('COM1.log'), '_COM1.log');
  assert.equal(safeFileName('console.log'), 'console.log');
});

test('safeFileName: long names are cut to the byte limit, keeping the extension and whole characters', () => {
  const cut = safeFileName(`${'é'.repeat(300)}.pdf`);
  assert.ok(Buffer.byteLength(cut) <= MAX_FILE_NAME_BYTES);
  assert.ok(cut.endsWith('é.pdf'));
  assert.ok(!cut.includes('\ufffd'));
});

test('formatBytes: as file managers show sizes', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(2_400_000), '2.4 MB');
  assert.equal(formatBytes(104_857_600), '105 MB');
});

test('#11.15 safeFileName: a lone surrogate becomes U+FFFD, the same name the server edge makes of it', () => {
  assert.equal(safeFileName('\ud800.txt'), '\ufffd.txt');
  assert.equal(safeFileName('a\udc00b\ud83d.txt'), 'a\ufffdb\ufffd.txt');
  assert.equal(safeFileName('\ud83d\ude00.txt'), '\ud83d\ude00.txt'); // a pair stays
});
