/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --profile DIR`, i.e. node --cpu-prof): the
 * functions with the most self time, the same by source file, and the most inclusive time.
 *
 *   node dist/bench/cpuprofile.js FILE.cpuprofile [--top 25]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCommandLine, readCommandLine, UsageError } from '../src/cli-args.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  return `${name} ${shortUrl(url)}:${lineNumber + 1}`;
}

function shortUrl(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm !== -1) return file.slice(nm + 'node_modules/'.length);
  const dist = file.lastIndexOf('/dist/');
  if (dist !== -1) return file.slice(dist + 1);
  return file.startsWith('node:') ? file : path.basename(file);
}

function top(map: Map<string, number>, n: number, total: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`,
    );
}

const USAGE = 'usage: node dist/bench/cpuprofile.js FILE.cpuprofile [--top 25]';

/** The profile to read and how many lines per table; throws UsageError without a file or with a bad --top. */
function readArgs(argv: string[]): { file: string; n: number; help: boolean } {
  const { values, positionals, help } = parseCommandLine(argv, { top: { type: 'string' } }, true);
  const [file] = positionals;
  const n = Number(values.top ?? 25);
  if (!help && file === undefined) throw new UsageError('give the .cpuprofile file to summarise');
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--top must be a whole number above 0, not ${values.top}`);
  return { file: file ?? '', n, help };
}

function main(): number {
  const args = readCommandLine('cpuprofile', USAGE, () => readArgs(process.argv.slice(2)));
  if (typeof args === 'number') return args; // --help, or a bad command line
  const { file, n } = args;
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<number, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
    if (byId.get(id)?.callFrame.functionName === '(idle)') idle += dt;
  }
  const busy = total - idle;

  const selfByFn = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    const key = label(node);
    selfByFn.set(key, (selfByFn.get(key) ?? 0) + us);
    const where = node.callFrame.url ? shortUrl(node.callFrame.url) : node.callFrame.functionName;
    selfByFile.set(where, (selfByFile.get(where) ?? 0) + us);
    // Inclusive: every distinct function on the stack gets the sample once (recursion counted once).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = label(byId.get(cur)!);
      if (!seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + us);
      }
    }
  }
  const out = [
    `${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (${((busy / total) * 100).toFixed(0)} %); percentages are of busy time`,
    '',
    `top ${n} by self time:`,
    ...top(selfByFn, n, busy),
    '',
    `top ${Math.min(n, 15)} by file (self time):`,
    ...top(selfByFile, Math.min(n, 15), busy),
    '',
    `top ${n} by inclusive time:`,
    ...top(new Map([...inclusive].filter(([k]) => k !== '(root)')), n, busy),
  ];
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

process.exitCode = main();
