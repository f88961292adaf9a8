/**
 * Recognising a resent message (issue #4): a client that lost the reply to a message resends it
 * with the same id after reconnecting. The same id with the same kind, receiver and text within
 * RESEND_WINDOW_MS is the same message: it is answered as before and not stored again. The same id
 * with other content is a new message (clients that restart their id counter lose nothing).
 */
import { nameKey, EVERYONE } from '../../protocol/names.js';
import type { ChatKind } from '../../protocol/wire.js';
import type { StoredMessage } from '../store/store.js';
import type { Chat } from './chat.js';
import type { Session } from './session.js';

/** How long request ids are remembered (issue #4: at least 24 hours). */
export const RESEND_WINDOW_MS = 24 * 3600 * 1000;

/** `clientRef`: the request id as stored (JSON). */
export function findResent(
  chat: Chat,
  session: Session,
  kind: ChatKind,
  request: Record<string, unknown>,
  clientRef: string,
): StoredMessage | undefined | Promise<StoredMessage | undefined> {
  const receiver = kind === 'broadcast' ? EVERYONE : nameKey(String(request.receiver));
  return chat.store.findResent({
    senderId: session.userId,
    clientRef,
    kind,
    receiverKey: receiver,
    text: String(request.text),
    since: new Date(chat.nowMs() - RESEND_WINDOW_MS).toISOString(),
  });
}
