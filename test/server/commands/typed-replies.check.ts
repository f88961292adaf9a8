// Compile-time checks of issue #14's promise (src/server/commands/command.ts):
// a handler whose reply leaves the typed map (src/protocol/messages.ts) does not compile. This file is
// built by `npm test` (tsc) and never run; each `@ts-expect-error` must stay an error, or the build fails
// ("unused @ts-expect-error"), so loosening a type shows up here. What the server really sends is checked
// against the same map at run time by "#14 every command's ok reply ..." in test/protocol/messages.test.ts.
import type { ChatMessage, SystemEvent } from '../../../src/protocol/messages.js';
import { encodeSystemEvent } from '../../../src/server/chat/encode.js';
import { command, type Context, type OkText } from '../../../src/server/commands/command.js';
import type { StoredMessage } from '../../../src/server/store/store.js';

/** ok() takes exactly the fields of its status's reply. */
export function okFields(ping: Context<'ping'>, leave: Context<'leave'>, who: Context<'who'>): void {
  ping.ok({ text: 'pong' });
  // @ts-expect-error a field the map does not have
  ping.ok({ text: 'pong', extra: 1 });
  // @ts-expect-error a required field left out
  leave.ok({ receiver: 'CS350', text: 'you left CS350' });
  // @ts-expect-error a field of the wrong type
  leave.ok({ receiver: 'CS350', deleted: 'no', text: 'you left CS350' });
  who.ok({ users: [], online: 0, text: '0 online: ' });
  // @ts-expect-error another status's reply
  who.ok({ text: 'pong' });
}

/** A command's handler gets the Context of its own status. */
export const wrongReply = command({
  status: 'ping',
  needsName: false,
  handle(ctx) {
    // @ts-expect-error ping's reply has no `users`
    ctx.ok({ text: 'pong', users: [] });
  },
});

/** The reply to a stored chat message, written as text, is typed field by field. */
export function sentText(
  broadcast: Context<'broadcast'>,
  privately: Context<'private'>,
  chunk: Context<'chunk'>,
  group: Context<'group'>,
  who: Context<'who'>,
  m: StoredMessage,
  n: number,
): void {
  broadcast.sent(m, `,"delivered":${n}`);
  // @ts-expect-error a misspelt field
  broadcast.sent(m, `,"delivred":${n}`);
  // @ts-expect-error a field the map does not have
  broadcast.sent(m, `,"delivered":${n},"queued":true`);
  privately.sent(m, `,"queued":true,"text":${JSON.stringify('away')}`);
  // @ts-expect-error a number where the map has `true`
  privately.sent(m, `,"queued":${n}`);
  chunk.sent(m, `,"file":${n},"offset":${n},"done":true`);
  // @ts-expect-error `done` left out
  chunk.sent(m, `,"file":${n},"offset":${n}`);
  // @ts-expect-error fields out of order
  chunk.sent(m, `,"offset":${n},"file":${n},"done":true`);
  // @ts-expect-error `who` is not answered with a stored message
  who.sent(m, '');
  group.sent(m, '');
  // @ts-expect-error a group reply adds nothing
  group.sent(m, `,"delivered":${n}`);
}

/** A reply built as text from its head (`fetch`) must name every field of the map, in order. */
export function okText(n: number, eof: boolean): void {
  const head: OkText<'fetch', ['file', 'offset', 'size', 'eof', 'data']> =
    `{"status":"ok","file":${n},"offset":${n},"size":${n},"eof":${eof},"data":"`;
  // @ts-expect-error `size` left out of the text
  const noSize: OkText<'fetch', ['file', 'offset', 'size', 'eof', 'data']> =
    `{"status":"ok","file":${n},"offset":${n},"eof":${eof},"data":"`;
  // @ts-expect-error `size` left out of the order: the type says which field is missing
  const shortOrder: OkText<'fetch', ['file', 'offset', 'eof', 'data']> =
    `{"status":"ok","file":${n},"offset":${n},"eof":${eof},"data":"`;
  void [head, noSize, shortOrder];
}

/** What the server pushes is typed by the same map the clients read. */
export function pushed(event: SystemEvent, message: ChatMessage): void {
  encodeSystemEvent(event);
  // @ts-expect-error a system event has a `ts`
  encodeSystemEvent({ status: 'system', event: 'ping', sender: 'server', receiver: 'Ann', text: 'hi' });
  // @ts-expect-error an event the map does not know
  encodeSystemEvent({ status: 'system', event: 'poke', sender: 'server', receiver: 'Ann', text: 'hi', ts: '' });
  void message;
}
