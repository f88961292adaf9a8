// Sign-in refusals as the web app says them (issue #14).
import type { ErrorReply } from '../../../src/protocol/messages.js';

/** A sign-in refusal in the words of a web page (the server's text for name_claimed speaks of JSON and tokens). */
export function refusalText(reply: ErrorReply, withPassword: boolean): string {
  switch (reply.code) {
    case 'name_claimed':
      return 'This name is taken. If it is yours, sign in with its password, or from the browser where you first used it; otherwise choose another name.';
    case 'password_required':
      return withPassword ? reply.text : `${reply.text} Enter the password for this name.`;
    case 'auth_failed':
      return 'Wrong name or password.';
    default:
      return reply.text;
  }
}
