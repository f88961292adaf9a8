/**
 * `npm run coverage`, second half: prints line and branch coverage per folder of src/ from c8's
 * coverage/coverage-summary.json, and fails when a guarded folder's line coverage drops below its floor.
 * The floors are the levels measured when coverage was first guarded (#13); the README states them. Raise a
 * floor when coverage rises for good; never lower one to let a change land.
 */
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';

/** Line coverage (%) that src/server and src/protocol may not drop below. */
export const LINE_FLOORS: Record<string, number> = { 'src/server': 93, 'src/protocol': 99 };

interface Counts {
  total: number;
  covered: number;
}
interface FileSummary {
  lines: Counts;
  branches: Counts;
}

const summary = JSON.parse(readFileSync('coverage/coverage-summary.json', 'utf8')) as Record<string, FileSummary>;

/** src/server/chat/chat.ts -> src/server; src/cli.ts -> src. */
function folderOf(file: string): string {
  const parts = relative(process.cwd(), file).split(sep);
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts[0]!;
}

const folders = new Map<string, FileSummary>();
for (const [file, counts] of Object.entries(summary)) {
  if (file === 'total') continue;
  const folder = folderOf(file);
  const sum = folders.get(folder) ?? { lines: { total: 0, covered: 0 }, branches: { total: 0, covered: 0 } };
  for (const kind of ['lines', 'branches'] as const) {
    sum[kind].total += counts[kind].total;
    sum[kind].covered += counts[kind].covered;
  }
  folders.set(folder, sum);
}

const percent = (c: Counts): number => (c.total === 0 ? 100 : (100 * c.covered) / c.total);
let failed = false;
console.log(`${'folder'.padEnd(16)}${'lines'.padStart(9)}${'branches'.padStart(10)}   floor`);
for (const [folder, sum] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
  const lines = percent(sum.lines);
  const floor = LINE_FLOORS[folder];
  const below = floor !== undefined && lines < floor;
  failed ||= below;
  const floorText = floor === undefined ? '' : `${floor.toFixed(1)}%${below ? '  BELOW THE FLOOR' : ''}`;
  console.log(
    `${folder.padEnd(16)}${lines.toFixed(1).padStart(8)}%${percent(sum.branches).toFixed(1).padStart(9)}%   ${floorText}`,
  );
}
if (failed) {
  console.error('line coverage dropped below its floor (scripts/coverage-floor.ts): add tests for the new code');
  process.exitCode = 1;
}
