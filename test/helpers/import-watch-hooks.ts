/** The module hooks import-watch.ts registers: they run in Node's loader thread, not the server's. */
import fs from 'node:fs';
import type { InitializeHook, ResolveHook } from 'node:module';

let logFile: string | null = null;
let refused = new Set<string>();

export const initialize: InitializeHook<{ logFile: string | null; refuse: string[] }> = (data) => {
  logFile = data.logFile;
  refused = new Set(data.refuse);
};

export const resolve: ResolveHook = (specifier, context, nextResolve) => {
  const bare = !/^(\.|\/|[a-z]+:\/)|^data:/.test(specifier);
  // Written before resolving: a refused or missing package is on the list too.
  if (bare && logFile !== null) fs.appendFileSync(logFile, `${specifier}\n`);
  if (refused.has(specifier))
    throw Object.assign(new Error(`Cannot find module '${specifier}' (refused by the test's import watch)`), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
  return nextResolve(specifier, context);
};
