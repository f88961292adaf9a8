// Waiting for the session to be signed in again (issue #14): transfers pause while the link is down.
import type { Link } from '../net/link.js';
import type { Session } from '../state/session.js';

/** Resolves with the logged-in link, now or after the next sign-in; null if the user signs out meanwhile. */
export function whenOnline(session: Session): Promise<Link | null> {
  const ready = (): Link | null | undefined => {
    if (session.store.get().phase === 'signed-out') return null;
    return session.loggedIn && session.link && !session.link.closed ? session.link : undefined;
  };
  const now = ready();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const stop = session.store.subscribe(() => {
      const link = ready();
      if (link === undefined) return;
      stop();
      resolve(link);
    });
  });
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
