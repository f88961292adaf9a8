/**
 * Runs /send and /get in the background (issue #5): the command returns at once so chat keeps
 * flowing, while the transfer reports its progress and its end as session output. Input that ends
 * (a script) waits for the transfers still running before the client leaves.
 */
import os from 'node:os';
import path from 'node:path';
import { formatBytes, safeFileName } from '../../protocol/file-names.js';
import type { ChatMessage } from '../../protocol/messages.js';
import type { Output } from '../output.js';
import { TransferError, type TransferContext } from './context.js';
import { download } from './download.js';
import { ProgressMeter } from './progress.js';
import { upload } from './upload.js';

/** Where /get saves when no directory is given. */
export const DEFAULT_DOWNLOAD_DIR = 'downloads';

export interface TransferHost extends TransferContext {
  output(output: Output): void;
  /** Shows the file message this client sent, as the server stored it, like an own chat message. */
  showOwn(message: ChatMessage): void;
  me(): string;
  isMyRoom(name: string): boolean;
}

export class Transfers {
  private readonly running = new Set<Promise<void>>();
  private nextKey = 1;

  constructor(private readonly host: TransferHost) {}

  /** Starts sending `file` to `receiver`; returns at once. */
  send(receiver: string, file: string): void {
    const local = expandHome(file);
    const label = `upload ${path.basename(local)}`;
    const key = `u${this.nextKey++}`;
    let meter: ProgressMeter | null = null;
    this.track(
      key,
      label,
      upload(this.host, local, receiver, {
        started: ({ size, offset }) => {
          meter = new ProgressMeter(label, size);
          if (offset > 0) this.info(`${label} resumes at ${formatBytes(offset)} of ${formatBytes(size)}`);
          this.progress(key, meter.update(offset, true));
        },
        progress: (bytes) => this.progress(key, meter?.update(bytes) ?? null),
        paused: (bytes) =>
          this.info(`${label} paused at ${formatBytes(bytes)}; it resumes when the connection is back`),
      }).then(({ file, name, size, reply }) => {
        // The words the server gave the recipients' message (the reply does not carry them).
        const text = `${this.host.me()} sent ${safeFileName(name)} (${formatBytes(size)}) [id ${file}] - /get ${file}`;
        const to = typeof reply.receiver === 'string' ? reply.receiver : receiver;
        if (typeof reply.msgid === 'number') {
          const status = this.host.isMyRoom(to) ? 'group' : 'private';
          this.host.showOwn({
            status,
            sender: this.host.me(),
            receiver: to,
            text,
            file,
            msgid: reply.msgid,
            seq: reply.seq,
            ts: reply.ts,
          });
        }
        this.info(`sent ${name} (${formatBytes(size)}) to ${to} [id ${file}]`);
      }),
    );
  }

  /** Starts downloading file `fileId` into `dir` (default ./downloads); returns at once. */
  get(fileId: number, dir: string | null): void {
    const target = expandHome(dir ?? DEFAULT_DOWNLOAD_DIR);
    const key = `d${this.nextKey++}`;
    let label = `download ${fileId}`;
    let meter: ProgressMeter | null = null;
    this.track(
      key,
      label,
      download(this.host, fileId, target, {
        started: (info, offset) => {
          label = `download ${safeFileName(info.name)}`;
          meter = new ProgressMeter(label, info.size);
          if (offset > 0) this.info(`${label} resumes at ${formatBytes(offset)} of ${formatBytes(info.size)}`);
          this.progress(key, meter.update(offset, true));
        },
        progress: (bytes) => this.progress(key, meter?.update(bytes) ?? null),
        paused: (bytes) =>
          this.info(`${label} paused at ${formatBytes(bytes)}; it resumes when the connection is back`),
      }).then(({ info, path: saved }) => this.info(`saved ${saved} (${formatBytes(info.size)}, SHA-256 verified)`)),
      () => label,
    );
  }

  /** Resolves when every transfer has finished, failed or been cancelled. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  get active(): number {
    return this.running.size;
  }

  private track(key: string, label: string, work: Promise<void>, currentLabel: () => string = () => label): void {
    const run = work
      .catch((err: unknown) => {
        if (err instanceof TransferError && err.code === 'cancelled')
          this.error(`${currentLabel()} stopped: ${err.message}`);
        else if (err instanceof TransferError) this.error(`${currentLabel()} failed: ${err.message}`);
        else this.error(`${currentLabel()} failed: ${(err as Error).message ?? String(err)}`);
      })
      .finally(() => {
        this.host.output({ type: 'progress', key, text: null, percent: 100, done: true });
        this.running.delete(run);
      });
    this.running.add(run);
  }

  private progress(key: string, report: { text: string; percent: number; done: boolean } | null): void {
    if (report) this.host.output({ type: 'progress', key, ...report });
  }

  private info(text: string): void {
    this.host.output({ type: 'info', text });
  }

  private error(text: string): void {
    this.host.output({ type: 'error', text });
  }
}

/** "~/notes.pdf" as a shell would read it: the client is typed at like a shell. */
function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') ? path.join(os.homedir(), file.slice(1)) : file;
}
