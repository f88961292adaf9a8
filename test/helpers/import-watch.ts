/**
 * Preloaded into a server under test (importWatchEnv below, NODE_OPTIONS=--import) to see which
 * packages it loads (issue #16): every bare specifier the process imports is written, one a line, to
 * the file CLASSCHAT_TEST_IMPORT_LOG names; those listed in CLASSCHAT_TEST_REFUSE_IMPORTS (comma
 * separated) fail to resolve, as they would on a Node or an install without them. The hooks run in
 * Node's loader thread (import-watch-hooks.ts); this file only registers them.
 */
import { register } from 'node:module';

if (process.env.CLASSCHAT_TEST_IMPORT_WATCH === '1') {
  register('./import-watch-hooks.js', import.meta.url, {
    data: {
      logFile: process.env.CLASSCHAT_TEST_IMPORT_LOG ?? null,
      refuse: (process.env.CLASSCHAT_TEST_REFUSE_IMPORTS ?? '').split(',').filter((s) => s !== ''),
    },
  });
}

/** The environment that runs a child process under the watch, writing to `logFile`, refusing `refuse`. */
export function importWatchEnv(options: { logFile?: string; refuse?: string[] }): NodeJS.ProcessEnv {
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${import.meta.url}`.trim(),
    CLASSCHAT_TEST_IMPORT_WATCH: '1',
    ...(options.logFile !== undefined && { CLASSCHAT_TEST_IMPORT_LOG: options.logFile }),
    CLASSCHAT_TEST_REFUSE_IMPORTS: (options.refuse ?? []).join(','),
  };
}
