// Compresses the browser client's text files once, at build time (issue #16): writes app.js.gz and
// app.js.br beside app.js under dist/web, which the server reads at start instead of spending about
// 180 ms of CPU on brotli's best quality at every `classchat serve` (src/server/web/precompressed.ts).
// Run after `vite build`, and after tsc, which writes dist/web/src/ (served too): a file rewritten later
// than its copies is compressed at start again, as before, until the next build.
import path from 'node:path';
import { writeCompressedCopies } from '../src/server/web/app-files.js';

const dir = path.join('dist', 'web');
const started = performance.now();
const { files, copies } = writeCompressedCopies(dir);
const ms = (performance.now() - started).toFixed(0);
console.log(`web app: ${copies} compressed copies (gzip, brotli) of ${files} files written in ${ms} ms`);
