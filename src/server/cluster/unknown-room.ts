/**
 * A room another node made a moment ago (#15): this node learns of it from the feed, which may lag a
 * request that names it (a join sent right after the `create` was answered elsewhere). So a request
 * refused with `no_such_room` on a joined node is run once more after this node has delivered everything
 * committed before it; only a room the store does not have either is refused. (A handler throws
 * no_such_room before it changes anything, so running it again is safe; after a change it throws
 * RoomGoneAfterChange, which is not run again.)
 */
import { ChatError } from '../../protocol/errors.js';
import type { Chat } from '../chat/chat.js';

/**
 * no_such_room after the request's change was stored (a join whose room was deleted before its commit
 * settled here): answered as it is, never run again (a second run would store the change twice, or join
 * a new room of the same name).
 */
export class RoomGoneAfterChange extends ChatError {
  constructor(text: string) {
    super('no_such_room', text);
  }
}

export function retryUnknownRoom(chat: Chat, handle: () => void | Promise<void>): void | Promise<void> {
  const cluster = chat.cluster;
  if (cluster === null) return handle();
  const retry = async (err: unknown): Promise<void> => {
    // An error with fields is about something else (an upload discarded with its deleted room): as it is.
    if (!(err instanceof ChatError) || err.code !== 'no_such_room' || err.fields !== undefined) throw err;
    if (err instanceof RoomGoneAfterChange) throw err;
    await cluster.caughtUp();
    await handle();
  };
  try {
    const pending = handle();
    return pending ? pending.catch(retry) : undefined;
  } catch (err) {
    return retry(err);
  }
}
