// The app's state as a Preact hook (issue #14): a component re-renders when the Store changes.
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Session } from '../state/session.js';
import type { AppState } from '../state/store.js';

export const SessionContext = createContext<Session | null>(null);

/** The Session the App was rendered with. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <App>');
  return session;
}

/** The current state; the component re-renders on each change. */
export function useAppState(): AppState {
  const session = useSession();
  const [state, setState] = useState(session.store.get());
  useEffect(() => {
    setState(session.store.get());
    return session.store.subscribe(() => setState(session.store.get()));
  }, [session]);
  return state;
}
