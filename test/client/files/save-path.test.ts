// Where downloads are saved (issue #5): the server's name is cleaned again, never leaves the downloads
// directory, and never overwrites a file: a number is added instead, claimed with an exclusive create.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { claimSavePath, numberedName, partPath } from '../../../src/client/files/save-path.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-save-'));
  dirs.push(dir);
  return dir;
}

test('numberedName puts the number before the extension, keeping .tar.gz whole', () => {
  assert.equal(numberedName('notes.pdf', 0), 'notes.pdf');
  assert.equal(numberedName('notes.pdf', 1), 'notes (1).pdf');
  assert.equal(numberedName('notes.pdf', 12), 'notes (12).pdf');
  assert.equal(numberedName('README', 2), 'README (2)');
  assert.equal(numberedName('backup.tar.gz', 1), 'backup (1).tar.gz');
  assert.equal(numberedName('my.notes.v2.txt', 1), 'my.notes.v2 (1).txt');
  assert.equal(numberedName('.hidden', 1), '.hidden (1)');
});

test('claimSavePath takes the name when it is free and creates the file', async () => {
  const dir = tempDir();
  const saved = await claimSavePath(dir, 'notes.pdf');
  assert.equal(saved, path.join(dir, 'notes.pdf'));
  assert.equal(fs.statSync(saved).size, 0);
});

test('an existing file is never overwritten: notes (1).pdf, then notes (2).pdf', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'notes.pdf'), 'mine');
  fs.writeFileSync(path.join(dir, 'notes (1).pdf'), 'mine too');
  assert.equal(await claimSavePath(dir, 'notes.pdf'), path.join(dir, 'notes (2).pdf'));
  assert.equal(await claimSavePath(dir, 'notes.pdf'), path.join(dir, 'notes (3).pdf'));
  assert.equal(fs.readFileSync(path.join(dir, 'notes.pdf'), 'utf8'), 'mine');
  assert.equal(fs.readFileSync(path.join(dir, 'notes (1).pdf'), 'utf8'), 'mine too');
});

test('two downloads racing for one name get different files', async () => {
  const dir = tempDir();
  const claimed = await Promise.all(Array.from({ length: 5 }, () => claimSavePath(dir, 'same.txt')));
  assert.equal(new Set(claimed).size, 5);
  assert.deepEqual(fs.readdirSync(dir).sort(), [
    'same (1).txt',
    'same (2).txt',
    'same (3).txt',
    'same (4).txt',
    'same.txt',
  ]);
});

test('hostile names are saved inside the directory under a clean name', async () => {
  const dir = tempDir();
  const cases: [string, string][] = [
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system.ini', 'system.ini'],
    ['/etc/shadow', 'shadow'],
    ['..', 'file'],
    ['', 'file'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['evil\u001b[31mred\u0007.txt', 'evil[31mred.txt'],
    ['line\nbreak.txt', 'linebreak.txt'],
    ['gpj\u202e.exe', 'gpj.exe'],
    ['...', 'file'],
  ];
  for (const [hostile, expected] of cases) {
    const saved = await claimSavePath(dir, hostile);
    assert.equal(path.dirname(saved), dir, `${JSON.stringify(hostile)} stays in the directory`);
    assert.equal(path.basename(saved).replace(/ \(\d+\)/, ''), expected, JSON.stringify(hostile));
  }
  // Nothing was created anywhere but in dir.
  assert.equal(fs.readdirSync(dir).length, cases.length);
});

test('a very long name is cut to fit a file system, keeping the extension and room for a number', async () => {
  const dir = tempDir();
  const long = `${'x'.repeat(400)}.pdf`;
  const first = await claimSavePath(dir, long);
  const second = await claimSavePath(dir, long);
  assert.ok(Buffer.byteLength(path.basename(second)) < 255);
  assert.match(path.basename(first), /^x+\.pdf$/);
  assert.match(path.basename(second), /^x+ \(1\)\.pdf$/);
});

test('the part file is named after the clean name and the file id, inside the directory', () => {
  const dir = tempDir();
  assert.equal(partPath(dir, '../../etc/passwd', 7), path.join(dir, 'passwd.7.part'));
  assert.equal(partPath(dir, 'notes.pdf', 12), path.join(dir, 'notes.pdf.12.part'));
});
