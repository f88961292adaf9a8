// The browser client's build (issue #14): web/ → dist/web/, hashed assets under dist/web/assets/. JSX is
// Preact's automatic runtime, set here for Vite's transformer (there is no @preact/preset-vite).
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/web',
    // tsc's output for the pure modules the unit tests load (dist/web/src/) stays: only Vite's own files go.
    emptyOutDir: false,
    assetsDir: 'assets',
    target: 'es2022',
    // The CSP forbids inline scripts and styles, and a data: URL is an inline asset too.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
