/** The /files listing: one readable line per file, newest first as the server sends them. */
import { formatBytes, safeFileName } from '../../protocol/file-names.js';
import type { FileInfo } from '../../protocol/messages.js';

/** The lines /files prints for `files`; `receiver` is the conversation asked about, null for all of them. */
export function formatFileList(files: FileInfo[], receiver: string | null): string {
  const where = receiver === null ? '' : ` in ${receiver}`;
  if (files.length === 0) return `no files${where} yet; /send <user|room> <path> sends one`;
  const rows = files.map((f) => {
    // The server cleans names; cleaning again keeps a hostile one from writing escape codes to the terminal.
    const to = receiver === null && f.receiver ? ` to ${f.receiver}` : '';
    return `  [${f.file}] ${safeFileName(String(f.name))}  ${formatBytes(Number(f.size))}  from ${f.sender ?? '?'}${to}  ${formatDate(f.ts)}`;
  });
  return [`files${where} (${files.length}):`, ...rows, '  /get <id> [dir] downloads one'].join('\n');
}

/** "2026-11-21 09:00" in local time. */
function formatDate(ts: string | undefined): string {
  if (!ts) return '';
  const at = new Date(ts);
  if (Number.isNaN(at.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}
