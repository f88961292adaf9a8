/**
 * File: client A uploads a file of random bytes to user B (`upload`, then pipelined `chunk`s with a
 * window of unacknowledged ones), B waits for the message that announces it and downloads it (pipelined
 * `fetch`es), and the SHA-256 of what B got must equal the original's. Meanwhile two more clients run
 * the chat probe (chat-probe.ts). Reports MB/s each way (MB = 10^6 bytes) and the chat latency before
 * the upload (baseline), during the upload and during the download (docs/protocol.md, "Files").
 */
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { LineClient } from '../client.js';
import { BenchAbort, type Guard } from '../guard.js';
import { CpuMeter } from '../proc.js';
import { connectAndRegister, show } from '../setup.js';
import { Histogram } from '../stats.js';
import { Kind, kindOf, req } from '../wire.js';
import type { Result, TransferFigures, Workload, WorkloadContext } from '../workload.js';
import { ChatProbe } from './chat-probe.js';
import { Problems } from './problems.js';

export interface FileParams extends Record<string, number> {
  mib: number;
  /** Chunks sent and not yet acknowledged: enough to keep the pipe full across the ack round trip. */
  chunkWindow: number;
  /** Fetches in flight, `fetchBytes` each. */
  fetchWindow: number;
  fetchBytes: number;
  /** Chat probe messages per second (both directions together) and their padding. */
  chatRate: number;
  pad: number;
  /** Seconds of chat alone before the upload: the baseline, and warm-up of the chat path. */
  chatLeadS: number;
}

export const file: Workload<FileParams> = {
  name: 'file',
  summary: 'file upload then download on loopback, chat alongside',
  full: { mib: 100, chunkWindow: 32, fetchWindow: 8, fetchBytes: 256 * 1024, chatRate: 200, pad: 32, chatLeadS: 1 },
  quick: { mib: 16, chunkWindow: 32, fetchWindow: 8, fetchBytes: 256 * 1024, chatRate: 200, pad: 32, chatLeadS: 0.5 },
  connections: () => 4,
  run: runFile,
};

/** Set by a transfer as it goes, so the guard sees progress and the result says how far it got. */
interface Progress {
  uploaded: number;
  downloaded: number;
}

async function runFile(ctx: WorkloadContext, p: FileParams): Promise<Result> {
  const { guard } = ctx;
  const size = p.mib * 2 ** 20;
  const problems = new Problems();
  let t = performance.now();
  const original = randomBytes(size);
  const sha256 = createHash('sha256').update(original).digest('hex');
  ctx.note(`${p.mib} MiB of random bytes and their SHA-256 in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  const [a, b, c, d] = await connectAndRegister(ctx.ports, 4, 4, guard, ctx.clients);
  const registerMs = performance.now() - t;
  for (const client of [a!, b!, c!, d!]) client.onUnexpectedClose = (x) => guard.abort(`${x.name}: ${x.closeReason}`);

  const probe = new ChatProbe([c!, d!], p.chatRate, p.pad, problems);
  const progress: Progress = { uploaded: 0, downloaded: 0 };
  const idleHist = new Histogram();
  const upHist = new Histogram();
  const downHist = new Histogram();
  guard.phase = 'chat alone';
  guard.progress = () => probe.received + progress.uploaded + progress.downloaded;
  guard.status = () =>
    `uploaded ${progress.uploaded}/${size}, downloaded ${progress.downloaded}/${size}, chat ${probe.received}/${probe.sent}`;
  guard.touch();
  // B learns the file's id the way a person's client does: from the message announcing it.
  const announced = announcement(b!, problems);
  let upload: TransferFigures | null = null;
  let download: TransferFigures | null = null;
  let verified = false;
  try {
    probe.phase = idleHist;
    probe.start();
    await guard.sleep(p.chatLeadS * 1000);
    guard.phase = 'upload';
    probe.phase = upHist;
    let cpu = new CpuMeter(ctx.serverPids);
    const up = await uploadFile(guard, a!, b!.name, original, sha256, p.chunkWindow, progress);
    upload = { bytes: size, ms: up.ms, mbPerS: size / 1000 / up.ms, chatUs: upHist.summary(), cpu: cpu.stop(up.end) };
    ctx.note(`uploaded in ${(up.ms / 1000).toFixed(2)} s; waiting for the announcement`);
    // Chat sent between the phases (waiting for B's announcement) counts for neither.
    probe.phase = null;
    const fileId = await guard.wait(announced);
    if (fileId !== up.fileId) problems.add(`B was told of file ${fileId}, the upload created ${up.fileId}`);
    guard.phase = 'download';
    probe.phase = downHist;
    cpu = new CpuMeter(ctx.serverPids);
    const down = await downloadFile(guard, b!, up.fileId, size, p.fetchWindow, p.fetchBytes, progress);
    download = {
      bytes: size,
      ms: down.ms,
      mbPerS: size / 1000 / down.ms,
      chatUs: downHist.summary(),
      cpu: cpu.stop(down.end),
    };
    probe.phase = null;
    guard.phase = 'chat drain';
    await guard.wait(probe.stop());
    verified = createHash('sha256').update(down.bytes).digest('hex') === sha256;
    if (!verified) problems.add(`the downloaded file's SHA-256 differs from the original's`);
  } catch (err) {
    if (!(err instanceof BenchAbort)) throw err;
    problems.add(err.message);
  } finally {
    void probe.stop();
  }
  // After an abort the probe's last messages were not waited for: that is not a loss.
  if (!guard.abortReason && probe.received !== probe.sent)
    problems.add(`chat probe: ${probe.sent - probe.received} of ${probe.sent} messages not received`);
  if (probe.outOfOrder > 0) problems.add(`chat probe: ${probe.outOfOrder} messages out of order`);
  if (probe.misrouted > 0) problems.add(`chat probe: ${probe.misrouted} messages delivered to the wrong client`);
  return {
    workload: 'file',
    params: { ...p },
    ok: problems.none(),
    problems: problems.list(),
    file:
      upload && download
        ? {
            upload,
            download,
            chatIdleUs: idleHist.summary(),
            chatSent: probe.sent,
            chatReceived: probe.received,
            verified,
          }
        : undefined,
    setupMs: { register: Math.round(registerMs) },
    cpu: upload && download ? mergeCpu(upload, download) : undefined,
  };
}

/** Resolves with the file id of the first message B gets that announces a file. */
function announcement(b: LineClient, problems: Problems): Promise<number> {
  return new Promise((resolve) => {
    b.handler = (client, data, start, end) => {
      const kind = kindOf(data, start);
      if (kind === Kind.Private) {
        const msg = JSON.parse(data.slice(start, end)) as { file?: unknown };
        if (typeof msg.file === 'number') return resolve(msg.file);
      }
      if (kind === Kind.System) return;
      if (kind === Kind.Error) problems.serverError(client.name, data.slice(start, end));
      else problems.unexpected(client.name, data.slice(start, end));
    };
  });
}

interface Uploaded {
  fileId: number;
  /** From the `upload` request to the reply to the last chunk (the server has checked the SHA-256). */
  ms: number;
  end: number;
}

/**
 * Announces the file, then sends it in chunks of the size the server asks for, at most `window`
 * unacknowledged. Each chunk's base64 is made just before it is sent, so the generator holds only the
 * window's worth of text. Any error reply ends the workload: this is a clean, fresh upload.
 */
function uploadFile(
  guard: Guard,
  a: LineClient,
  to: string,
  bytes: Buffer,
  sha256: string,
  window: number,
  progress: Progress,
): Promise<Uploaded> {
  const size = bytes.length;
  return guard.wait(
    new Promise<Uploaded>((resolve) => {
      let fileId = 0;
      let chunkBytes = 0;
      let next = 0;
      const send = () => {
        while (next < size && next - progress.uploaded < window * chunkBytes) {
          const n = Math.min(chunkBytes, size - next);
          a.write(req.chunk(fileId, next, bytes.toString('base64', next, next + n)));
          next += n;
        }
      };
      const t0 = performance.now();
      a.handler = (_client, data, start, end, at) => {
        const kind = kindOf(data, start);
        if (kind === Kind.System) return;
        const line = data.slice(start, end);
        if (kind !== Kind.Ok) return guard.abort(`upload: ${show(line)}`);
        const r = JSON.parse(line) as {
          ref?: string;
          file?: number;
          offset?: number;
          chunk_bytes?: number;
          done?: boolean;
        };
        if (r.ref === 'up') {
          if (r.offset !== 0 || !r.file || !r.chunk_bytes)
            return guard.abort(`upload: unexpected reply to a fresh upload: ${show(line)}`);
          fileId = r.file;
          chunkBytes = r.chunk_bytes;
          return send();
        }
        if (r.file !== fileId || typeof r.offset !== 'number' || r.offset <= progress.uploaded)
          return guard.abort(`upload: unexpected reply: ${show(line)}`);
        progress.uploaded = r.offset;
        if (r.done) {
          if (r.offset !== size) return guard.abort(`upload: done at ${r.offset} of ${size} bytes`);
          return resolve({ fileId, ms: at - t0, end: at });
        }
        send();
      };
      a.write(req.upload(to, 'bench.bin', size, sha256));
    }),
  );
}

interface Downloaded {
  bytes: Buffer;
  /** From the first `fetch` to the reply with the last byte. */
  ms: number;
  end: number;
}

/**
 * Fetches the file `window` requests at a time, `fetchBytes` each, and decodes every reply's base64
 * straight into one buffer at the reply's offset. Only the reply's small envelope is JSON-parsed:
 * the data field is cut out first, so a 350 KB line is never parsed as JSON.
 */
function downloadFile(
  guard: Guard,
  b: LineClient,
  fileId: number,
  size: number,
  window: number,
  fetchBytes: number,
  progress: Progress,
): Promise<Downloaded> {
  const bytes = Buffer.alloc(size);
  return guard.wait(
    new Promise<Downloaded>((resolve) => {
      let next = 0;
      let inFlight = 0;
      const send = () => {
        while (next < size && inFlight < window) {
          const n = Math.min(fetchBytes, size - next);
          b.write(req.fetch(fileId, next, n));
          next += n;
          inFlight++;
        }
      };
      const t0 = performance.now();
      b.handler = (_client, data, start, end, at) => {
        const kind = kindOf(data, start);
        if (kind === Kind.System) return;
        if (kind !== Kind.Ok) return guard.abort(`download: ${show(data.slice(start, end))}`);
        const key = data.indexOf('"data":"', start);
        const stop = key === -1 || key > end ? -1 : data.indexOf('"', key + 8);
        if (stop === -1 || stop > end)
          return guard.abort(`download: a reply without data: ${show(data.slice(start, end))}`);
        const r = JSON.parse(data.slice(start, key + 8) + data.slice(stop, end)) as {
          file?: number;
          offset?: number;
          size?: number;
          eof?: boolean;
        };
        // Replies come in request order, so each must start where the last ended.
        if (r.file !== fileId || r.offset !== progress.downloaded || r.size !== size) {
          return guard.abort(
            `download: reply for file ${r.file} at ${r.offset} (size ${r.size}), expected file ${fileId} at ${progress.downloaded} (size ${size})`,
          );
        }
        const n = bytes.write(data.slice(key + 8, stop), r.offset, 'base64');
        const want = Math.min(fetchBytes, size - r.offset);
        if (n !== want) return guard.abort(`download: ${n} bytes at ${r.offset}, asked for ${want}`);
        progress.downloaded += n;
        inFlight--;
        if (progress.downloaded === size) {
          if (!r.eof) return guard.abort('download: the last reply has no eof: true');
          return resolve({ bytes, ms: at - t0, end: at });
        }
        if (r.eof) return guard.abort(`download: eof at ${progress.downloaded} of ${size} bytes`);
        send();
      };
      send();
    }),
  );
}

/** CPU over both transfers, weighted by their wall time (the chat-only lead-in is left out). */
function mergeCpu(up: TransferFigures, down: TransferFigures): Result['cpu'] {
  const u = up.cpu;
  const d = down.cpu;
  const wallS = u.wallS + d.wallS;
  const avg = (x: number | null, y: number | null) =>
    x === null || y === null ? null : Math.round(((x * u.wallS + y * d.wallS) / wallS) * 10) / 10;
  return {
    wallS,
    serverPct: avg(u.serverPct, d.serverPct),
    genPct: avg(u.genPct, d.genPct)!,
    machineIdlePct: avg(u.machineIdlePct, d.machineIdlePct),
    machineStealPct: avg(u.machineStealPct, d.machineStealPct),
    otherPct: avg(u.otherPct, d.otherPct),
  };
}
