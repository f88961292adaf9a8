// Issue #12.10: the `nc` sessions shown in README.md and docs/protocol.md are what a fresh server
// answers. Each fenced block that starts with `$ nc` is read as a transcript and replayed over real
// sockets against a fresh server (the default claim mode): the lines a user types are sent, and every
// line shown from the server must arrive on that terminal, in that order, with nothing unshown between.
//
// How a block is read: two terminals side by side; a line starting with spaces is the right one's, and a
// line's right part after a gap of 3+ spaces too (`$ nc …   $ nc …` opens both). `$ nc` opens a
// connection for that terminal. A JSON line is the server's when its status is `ok` or `error` or it
// carries `ts` (every pushed message and event does); any other JSON line is typed. Fields that differ
// from run to run (ts, msgid, seq, token) are compared by presence only; in a typed line, `token` is
// replaced by the token that name's register reply carried.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { TestClient, type Obj } from '../helpers/client.js';
import { withTimeout } from '../helpers/expect.js';
import { startServer } from '../helpers/server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const VOLATILE = ['ts', 'msgid', 'seq', 'token'];
const WAIT_MS = 3000;

type Side = 'left' | 'right';
type Step =
  | { side: Side; kind: 'connect'; line: number }
  | { side: Side; kind: 'type'; request: Obj; line: number }
  | { side: Side; kind: 'shown'; reply: Obj; line: number };

/** The fenced blocks of a markdown file whose first line starts with `$ nc`, with their line numbers. */
function transcripts(file: string): { start: number; lines: string[] }[] {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const blocks: { start: number; lines: string[] }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('```')) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    assert.notEqual(end, -1, `${file}:${i + 1}: an unclosed code block`);
    const body = lines.slice(i + 1, end);
    if (body[0]?.startsWith('$ nc ')) blocks.push({ start: i + 2, lines: body });
    i = end;
  }
  return blocks;
}

/** The steps of one transcript block, in order. */
function steps(file: string, block: { start: number; lines: string[] }): Step[] {
  const out: Step[] = [];
  block.lines.forEach((text, i) => {
    const line = block.start + i;
    const parts: [Side, string][] = [];
    if (/^\s/.test(text)) parts.push(['right', text.trim()]);
    else {
      const split = /^(\S.*?)\s{3,}(\S.*)$/.exec(text);
      if (split) parts.push(['left', split[1]!], ['right', split[2]!]);
      else if (text !== '') parts.push(['left', text]);
    }
    for (const [side, part] of parts) {
      if (part.startsWith('$ nc ')) {
        out.push({ side, kind: 'connect', line });
        continue;
      }
      let value: Obj;
      try {
        value = JSON.parse(part) as Obj;
      } catch {
        assert.fail(`${file}:${line}: neither "$ nc" nor one JSON object: ${part}`);
      }
      const shown = value.status === 'ok' || value.status === 'error' || 'ts' in value;
      out.push(shown ? { side, kind: 'shown', reply: value, line } : { side, kind: 'type', request: value, line });
    }
  });
  return out;
}

/** `value` with the volatile fields' values replaced by a marker, so only their presence is compared. */
function normalised(value: Obj): Obj {
  const copy: Obj = { ...value };
  for (const key of VOLATILE) if (key in copy) copy[key] = '(varies)';
  return copy;
}

async function replay(file: string, block: { start: number; lines: string[] }): Promise<void> {
  const server = await startServer();
  const terminals = new Map<Side, TestClient>();
  const all: TestClient[] = [];
  const tokens = new Map<string, string>();
  /** Terminals whose last request was `exit`: the server closes them. */
  const exited = new Set<Side>();
  try {
    for (const step of steps(file, block)) {
      const where = `${file}:${step.line}`;
      if (step.kind === 'connect') {
        const client = await TestClient.connect(server.port, `${step.side} terminal`);
        terminals.set(step.side, client);
        exited.delete(step.side);
        all.push(client);
        continue;
      }
      const client = terminals.get(step.side);
      assert.ok(client, `${where}: a line on the ${step.side} terminal before its "$ nc"`);
      if (step.kind === 'type') {
        const request = { ...step.request };
        if (typeof request.token === 'string') {
          const token = tokens.get(String(request.sender));
          assert.ok(token, `${where}: a login with the token of ${request.sender}, who got none above`);
          request.token = token;
        }
        client.send(request);
        if (request.status === 'exit') exited.add(step.side);
        else exited.delete(step.side);
        continue;
      }
      const got = await client.waitFor(() => true, WAIT_MS, `${where}: ${JSON.stringify(step.reply)}`);
      if (typeof got.token === 'string' && typeof got.sender === 'string') tokens.set(got.sender, got.token);
      assert.deepEqual(normalised(got), normalised(step.reply), `${where}: the server sent ${JSON.stringify(got)}`);
    }
    // Nothing the transcript does not show: an open terminal's next line is the reply to a last ping;
    // one that exited received nothing more before the server closed it.
    for (const [side, client] of terminals) {
      if (exited.has(side)) {
        await withTimeout(client.closed, WAIT_MS, `${file}: the server to close the ${side} terminal after its exit`);
        assert.deepEqual(
          client.pending(),
          [],
          `${file}: the ${side} terminal received lines the transcript does not show`,
        );
        continue;
      }
      client.send({ status: 'ping', id: 'transcript-end' });
      const next = await client.waitFor(() => true, WAIT_MS, 'the reply to a last ping');
      assert.deepEqual(
        next,
        { status: 'ok', ref: 'transcript-end', text: 'pong' },
        `${file}: the ${side} terminal received lines the transcript does not show`,
      );
    }
  } finally {
    for (const client of all) await client.close();
    await server.stop();
  }
}

for (const file of ['README.md', 'docs/protocol.md']) {
  test(`#12.10 the nc transcript in ${file} is what a fresh server answers`, async () => {
    const blocks = transcripts(file);
    assert.ok(blocks.length > 0, `${file} shows an nc session`);
    for (const block of blocks) await replay(file, block);
  });
}
