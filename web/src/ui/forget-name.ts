// Signing out at a shared computer (review of #14): a name without a password is held by the claim token
// this browser keeps, so whoever uses the browser next could sign in as it. Ask whether to forget it.
import { claimToken } from '../state/storage.js';

/** True when the user chose to forget `name` on this browser; never asks for a password account. */
export function askToForget(name: string): boolean {
  if (claimToken(name) === undefined) return false;
  return confirm(
    `Forget "${name}" on this browser too?\n\n` +
      `OK on a shared computer: nobody who uses this browser next can sign in as ${name}. ` +
      `Your name has no password, so this browser is what holds it: forgotten here, it cannot be had back.\n\n` +
      `Cancel to keep ${name} on this browser.`,
  );
}
