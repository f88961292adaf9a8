// Issue #13: docs/architecture.md is the page a newcomer reads first, so it must stay true as the code
// moves. Every path it names in backticks exists, every function or type it names is defined in a file it
// pairs it with, every folder under src/ is on it, and every test it quotes by title exists.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The repository's root: this file runs as dist/test/docs/architecture.test.js. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PAGE = 'docs/architecture.md';
const TEXT = fs.readFileSync(path.join(ROOT, PAGE), 'utf8');

/** A backticked path of the repository, e.g. `src/server/dispatcher.ts` or `test/helpers/`. */
const PATH = /^(?:src|test|docs|bench)\/\S*$/;
/** A backticked code name: `name()`, `Class.member()`, `Class.member` or a capitalized `Name`. */
const SYMBOL = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:\(\))?$/;

/** A paragraph, list item or table row of the page, outside code fences, with its backticked tokens. */
interface Block {
  line: number;
  paths: string[];
  symbols: string[];
}

/** Splits markdown into blocks: a blank line, a heading, a list item or a table row starts a new one. */
function blocks(markdown: string): Block[] {
  const found: Block[] = [];
  let current: { line: number; text: string } | null = null;
  let fenced = false;
  const end = () => {
    if (current) found.push(tokens(current.line, current.text));
    current = null;
  };
  markdown.split('\n').forEach((line, index) => {
    if (line.startsWith('```')) {
      end();
      fenced = !fenced;
    } else if (fenced || line.trim() === '') {
      end();
    } else if (current === null || /^(?:#|\||\s*(?:[-*]|\d+\.)\s)/.test(line)) {
      end();
      current = { line: index + 1, text: line };
    } else {
      current.text += ' ' + line.trim();
    }
  });
  end();
  return found;
}

function tokens(line: number, text: string): Block {
  const quoted = [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  return {
    line,
    paths: quoted.filter((t) => PATH.test(t)),
    // A call-shaped name, or a capitalized one (class, interface, table); plain lowercase words in
    // backticks are wire fields and codes (`ok`, `queued`), not code names.
    symbols: quoted.filter((t) => SYMBOL.test(t) && (t.endsWith('()') || /^[A-Z]/.test(t))),
  };
}

/** The part of a path that must exist: all of it, or the folder before its first `<placeholder>`. */
function existingPart(p: string): string {
  const placeholder = p.indexOf('<');
  return placeholder === -1 ? p : p.slice(0, p.lastIndexOf('/', placeholder) + 1);
}

/** Every .ts file under `dir` (relative to the root). */
function sourcesUnder(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
}

/**
 * True when `source` defines `name` (not merely calls it): a function, class, interface, type, const or
 * enum; a method, property or getter (a line that starts with it, followed by `(`, `<`, `:`, `=`, `?` or
 * `!`, but not a call statement `name(...);`); or a re-export.
 */
function defines(source: string, name: string): boolean {
  const n = name.replace(/\$/g, '\\$');
  const modifiers =
    '(?:(?:export|default|declare|abstract|public|private|protected|static|readonly|async|override|get|set)\\s+)*';
  if (new RegExp(`\\b(?:function\\*?|class|interface|type|const|let|var|enum)\\s+${n}\\b`).test(source)) return true;
  if (new RegExp(`export\\s*\\{[^}]*\\b${n}\\b[^}]*\\}`).test(source)) return true;
  const member = new RegExp(`^\\s*${modifiers}${n}\\s*([(<:=?!])`);
  return source.split('\n').some((line) => {
    const match = member.exec(line);
    // `name(...);` on a line of its own is a call statement, not a method.
    return match !== null && !(match[1] === '(' && /\)\s*;\s*$/.test(line));
  });
}

/** Why `symbol` is not defined in any of `files` (null when it is): both parts of `Class.member`. */
function undefinedIn(symbol: string, files: string[]): string | null {
  const parts = symbol.replace(/\(\)$/, '').split('.');
  const names = parts.length === 1 ? parts : [parts[0]!, parts[parts.length - 1]!];
  for (const file of files) {
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    if (names.every((name) => defines(source, name))) return null;
  }
  return `\`${symbol}\` is not defined in ${files.join(', ')}`;
}

const BLOCKS = blocks(TEXT);

test('#13 architecture.md: every path it names exists', () => {
  const paths = BLOCKS.flatMap((b) => b.paths.map((p) => ({ p, line: b.line })));
  assert.ok(paths.length >= 50, `the page names paths in backticks (found ${paths.length})`);
  const missing = paths
    .filter(({ p }) => !fs.existsSync(path.join(ROOT, existingPart(p))))
    .map(({ p, line }) => `${PAGE}:${line}: ${p}`);
  assert.deepEqual(missing, [], 'paths named on the page that do not exist');
});

test('#13 architecture.md: every function and type it names is defined in a file named beside it', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const block of BLOCKS) {
    if (block.symbols.length === 0) continue;
    const existing = block.paths.map(existingPart).filter((p) => fs.existsSync(path.join(ROOT, p)));
    const files = existing.filter((p) => p.endsWith('.ts'));
    // A table row that names only a folder: the names are defined somewhere under it.
    const candidates = files.length > 0 ? files : existing.filter((p) => p.endsWith('/')).flatMap(sourcesUnder);
    for (const symbol of block.symbols) {
      checked++;
      const problem =
        candidates.length === 0 ? `\`${symbol}\` is named without a file or folder` : undefinedIn(symbol, candidates);
      if (problem) problems.push(`${PAGE}:${block.line}: ${problem}`);
    }
  }
  assert.ok(checked >= 100, `the page names functions and types in backticks (found ${checked})`);
  assert.deepEqual(problems, [], 'names on the page that are not where it says');
});

test('#13 the name check tells a definition from a call or an import', () => {
  const group = fs.readFileSync(path.join(ROOT, 'src/server/commands/group.ts'), 'utf8');
  assert.ok(defines(group, 'group'), 'the command group.ts defines');
  assert.ok(group.includes('sendGroup('), 'group.ts calls sendGroup');
  assert.ok(!defines(group, 'sendGroup'), 'a function only imported and called is not defined there');
  assert.ok(!defines(group, 'noSuchFunction'));
  const lineWire = fs.readFileSync(path.join(ROOT, 'src/server/transports/line-wire.ts'), 'utf8');
  assert.ok(defines(lineWire, 'onSocketData'), 'a private static method');
  const connection = fs.readFileSync(path.join(ROOT, 'src/server/connection.ts'), 'utf8');
  assert.ok(defines(connection, 'unsentBytes'), 'a getter');
  const commit = fs.readFileSync(path.join(ROOT, 'src/server/group-commit.ts'), 'utf8');
  assert.ok(defines(commit, 'flush'), 'an arrow-function property');
  assert.ok(defines(fs.readFileSync(path.join(ROOT, 'src/server/store/store.ts'), 'utf8'), 'appendMessage'));
});

test('#13 architecture.md names every folder under src/', () => {
  const named = new Set(BLOCKS.flatMap((b) => b.paths));
  const folders = fs
    .readdirSync(path.join(ROOT, 'src'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/') + '/');
  assert.ok(folders.length >= 5, `src/ has folders (found ${folders.length})`);
  assert.deepEqual(
    folders.filter((f) => !named.has(f)),
    [],
    'folders under src/ the page does not name (add a row to its layers table)',
  );
});

test('#13 architecture.md: every test it quotes by title exists', () => {
  // A title may wrap over two lines of the page: its whitespace is a single space in the test file.
  const titles = [...TEXT.matchAll(/\btest\s+"([^"]+)"/gi)].map((m) => m[1]!.replace(/\s+/g, ' '));
  assert.ok(titles.length >= 2, `the page quotes tests by title (found ${titles.length})`);
  const sources = sourcesUnder('test').map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8'));
  assert.deepEqual(
    titles.filter((title) => !sources.some((s) => s.includes(`'${title}'`) || s.includes(`\`${title}\``))),
    [],
    'tests quoted on the page that no test file has',
  );
});

test('#13 README.md links to docs/architecture.md', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, /\]\(docs\/architecture\.md\)/);
});
