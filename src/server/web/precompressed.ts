/**
 * The compressed copies of the web app's text files (issue #16). Brotli at its best quality costs about a
 * millisecond a KiB, some 180 ms of CPU for the app, which every `classchat serve` (and every test that
 * starts one) paid at start; the build now pays it once, writing `app.js.gz` and `app.js.br` beside
 * `app.js` (scripts/web-compress.ts), and a server reads them. A copy on disk is trusted only when it is
 * not older than its file and decodes to it; otherwise (a tree built without them, a file rebuilt since)
 * the server compresses at start as it always did, so nothing depends on the build having made them.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { Encoding } from './accept-encoding.js';

/** The file name suffix of each encoding's copy, as static file servers (nginx gzip_static, …) name them. */
export const SUFFIXES: Readonly<Record<Encoding, string>> = { gzip: '.gz', br: '.br' };

/** `identity` compressed at the encoding's best level: it is done once, and every download gains. */
export function compress(encoding: Encoding, identity: Buffer): Buffer {
  if (encoding === 'gzip') return zlib.gzipSync(identity, { level: zlib.constants.Z_BEST_COMPRESSION });
  return zlib.brotliCompressSync(identity, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
    },
  });
}

/** `encoded` decoded, or a RangeError once it decodes to more than `maxBytes`. */
function decompress(encoding: Encoding, encoded: Buffer, maxBytes: number): Buffer {
  const options = { maxOutputLength: Math.max(1, maxBytes) };
  return encoding === 'gzip' ? zlib.gunzipSync(encoded, options) : zlib.brotliDecompressSync(encoded, options);
}

/**
 * The copy of `file` (whose bytes are `identity`, last modified at `modifiedMs`) in `encoding`: the one
 * the build wrote beside it when that is up to date, else compressed now.
 */
export function encodedCopy(file: string, identity: Buffer, modifiedMs: number, encoding: Encoding): Buffer {
  return storedCopy(file + SUFFIXES[encoding], identity, modifiedMs, encoding) ?? compress(encoding, identity);
}

/**
 * The stored copy at `copyPath`, or null when there is none, it is older than its file, it is no smaller
 * than the file, or it does not decode to the file. Decoding costs a fraction of a millisecond for the
 * whole app and is what makes the copy safe to serve whatever the file times say: a file put back with
 * its old time (`cp -p`, rsync, tar), or a copy cut short, would otherwise be served as that file.
 */
function storedCopy(copyPath: string, identity: Buffer, modifiedMs: number, encoding: Encoding): Buffer | null {
  const stat = fs.statSync(copyPath, { throwIfNoEntry: false });
  if (stat === undefined || !stat.isFile() || stat.mtimeMs < modifiedMs) return null;
  // Not one the build writes (writeEncodedCopy): taken, the caller would drop the encoding for this file
  // rather than serve a copy larger than the file, where compressing afresh gives a smaller one.
  if (stat.size >= identity.length) return null;
  const encoded = fs.readFileSync(copyPath);
  let decoded: Buffer;
  try {
    // Bounded by the file's size plus one byte: a copy that decodes to more is not of this file, and is
    // given up without decoding the rest of it (however large that would be).
    decoded = decompress(encoding, encoded, identity.length + 1);
  } catch {
    // Not valid in its encoding, or too long: as good as absent, and compressing afresh replaces it in memory.
    return null;
  }
  return decoded.equals(identity) ? encoded : null;
}

/**
 * Writes the copy of `file` in `encoding` beside it when it is smaller than the file (a larger copy is
 * never served), and removes an earlier copy otherwise. Returns whether it wrote one.
 */
export function writeEncodedCopy(file: string, identity: Buffer, encoding: Encoding): boolean {
  const copyPath = file + SUFFIXES[encoding];
  const encoded = compress(encoding, identity);
  if (encoded.length >= identity.length) {
    fs.rmSync(copyPath, { force: true });
    return false;
  }
  fs.writeFileSync(copyPath, encoded);
  return true;
}
