/**
 * What a command is given to answer one request (commands/command.ts, Context): the connection, the
 * request's id, and the replies bound to them. A class rather than an object literal of closures: one
 * object per request instead of four, on the path every message takes (issue #16).
 */
import type { ErrorCode } from '../protocol/errors.js';
import type { ErrorFields, ReplyFields } from '../protocol/messages.js';
import type { RequestId, RequestStatus } from '../protocol/requests.js';
import type { Accounts } from './auth/accounts.js';
import type { Chat } from './chat/chat.js';
import { encodeSentReply } from './chat/encode.js';
import type { Session } from './chat/session.js';
import type { Context, SentText } from './commands/command.js';
import type { Connection } from './connection.js';
import type { Files } from './files/files.js';
import type { StoredMessage } from './store/store.js';

export class RequestContext implements Context {
  readonly session: Session;

  constructor(
    readonly chat: Chat,
    readonly accounts: Accounts,
    readonly files: Files,
    readonly conn: Connection,
    readonly ref: RequestId | undefined,
    readonly clientRef: string | null,
  ) {
    // Set for every command with `needsName` (the dispatcher checked); null before `register`.
    this.session = conn.session!;
  }

  ok(fields: ReplyFields[RequestStatus], undo?: () => void): void {
    this.conn.reply(this.ref, fields, undo);
  }

  sent(message: StoredMessage, extra: SentText<RequestStatus>): void {
    this.conn.sendReply(this.ref, encodeSentReply(this.ref, message, extra), true);
  }

  fail(code: ErrorCode, text?: string, fields?: ErrorFields): void {
    this.conn.replyError(this.ref, code, text, fields);
  }
}
