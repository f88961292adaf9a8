// Sign-in refusals as the web app says them (issue #14): the server's texts for these speak of JSON
// requests and tokens, which a person at a sign-in form does not type.
import type { ErrorReply } from '../../../src/protocol/messages.js';

/** The text shown (role="alert") for a refused sign-in; other refusals keep the server's words. */
export function refusalText(reply: ErrorReply): string {
  switch (reply.code) {
    case 'name_claimed':
      return 'This name is taken. If it is yours, sign in with its password, or from the browser where you first used it; otherwise choose another name.';
    case 'password_required':
      return reply.account === false
        ? 'This server needs a password for every name: choose one (8 characters or more) to sign up.'
        : 'This name has a password: enter it to sign in.';
    case 'auth_failed':
      return 'Wrong name or password.';
    case 'invite_required':
      return 'This server needs an invite code for a new name: ask the instructor, or sign in with a name you already have.';
    default:
      return reply.text;
  }
}
