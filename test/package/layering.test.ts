// The layers the README's layout names (issue #13): the server and the terminal client share only
// src/protocol, never each other's modules, so each can change (or ship) without the other.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The repository's root: this file runs as dist/test/package/layering.test.js. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every TypeScript file under `dir`, with the relative module paths it imports. */
function importsUnder(dir: string): { file: string; specifier: string }[] {
  const found: { file: string; specifier: string }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/gm))
      found.push({ file, specifier: match[1]! });
  }
  return found;
}

/** The files under `from` that import a module under `forbidden`. */
function crossings(from: string, forbidden: string): string[] {
  const target = path.join(ROOT, forbidden) + path.sep;
  return importsUnder(path.join(ROOT, from))
    .filter(({ file, specifier }) => path.resolve(path.dirname(file), specifier).startsWith(target))
    .map(({ file, specifier }) => `${path.relative(ROOT, file)} imports ${specifier}`);
}

test('the terminal client imports nothing of the server, and the server nothing of the client', () => {
  const seen = importsUnder(path.join(ROOT, 'src/client'));
  assert.ok(
    seen.some((i) => i.specifier.includes('/protocol/')),
    'the scan finds the client importing src/protocol (it reads the imports at all)',
  );
  assert.deepEqual(crossings('src/client', 'src/server'), []);
  assert.deepEqual(crossings('src/server', 'src/client'), []);
  assert.deepEqual(crossings('src/protocol', 'src/server'), []);
  assert.deepEqual(crossings('src/protocol', 'src/client'), []);
});
