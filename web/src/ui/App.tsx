// The app's frame (issue #14): the sign-in form, or the header (status, notifications, "Sign out"), the
// sidebar (a drawer at phone width, opened by "Open conversations") and the open conversation.
import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../state/session.js';
import { sendFiles } from '../files/send.js';
import { ConversationView } from './ConversationView.js';
import { Sidebar } from './Sidebar.js';
import { SignIn } from './SignIn.js';
import { askToForget } from './forget-name.js';
import { Status } from './Status.js';
import { SessionContext, useAppState, useSession } from './use-app-state.js';

export function App({ session }: { session: Session }) {
  return (
    <SessionContext.Provider value={session}>
      <Frame />
    </SessionContext.Provider>
  );
}

function Frame() {
  const session = useSession();
  const state = useAppState();
  const [drawer, setDrawer] = useState(false);
  const unread = Object.values(state.convs).reduce((n, c) => n + c.unread, 0);
  // The drawer (phone width): Escape closes it; opening it moves focus to the open conversation's entry.
  useEffect(() => {
    if (!drawer) return;
    document.querySelector<HTMLElement>('.sidebar [aria-current="page"]')?.focus();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setDrawer(false);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [drawer]);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) ClassChat` : 'ClassChat';
  }, [unread]);

  if (state.phase !== 'in') {
    if (state.resuming) return <Loading />;
    return <SignIn />;
  }
  const conv = state.convs[state.selected] ?? state.convs.everyone!;
  return (
    <div class={`app${drawer ? ' drawer-open' : ''}`}>
      <header class="topbar">
        <button
          type="button"
          class="icon drawer-toggle"
          aria-label="Open conversations"
          aria-expanded={drawer}
          onClick={() => setDrawer(!drawer)}
        >
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M4 6h16M4 12h16M4 18h16" />
          </svg>
        </button>
        <span class="brand">ClassChat</span>
        <Status />
        <span class="spacer" />
        <NotifyButton />
        <span class="me" title={state.role === 'admin' ? 'administrator' : undefined}>
          {state.me}
          {state.role === 'admin' && <span class="tag">admin</span>}
        </span>
        <button type="button" class="small" onClick={() => void session.signOut(askToForget(state.me))}>
          Sign out
        </button>
      </header>
      <div class="body">
        <Sidebar onPicked={() => setDrawer(false)} />
        {drawer && <div class="scrim" aria-hidden="true" onClick={() => setDrawer(false)} />}
        <main class="main">
          <ConversationView conv={conv} onFiles={(files) => sendFiles(session, conv.key, files)} />
        </main>
      </div>
    </div>
  );
}

function Loading() {
  return (
    <main class="signin">
      <div class="signin-card">
        <h1>ClassChat</h1>
        <Status />
      </div>
    </main>
  );
}

/** Asks for the browser's permission to notify, only when clicked (never on load). */
function NotifyButton() {
  const session = useSession();
  const state = useAppState();
  if (typeof Notification === 'undefined') return null;
  if (state.notify)
    return (
      <button
        type="button"
        class="small notify"
        aria-pressed="true"
        onClick={() => session.store.set({ notify: false })}
      >
        <Bell />
        <span class="label">Notifications on</span>
      </button>
    );
  return (
    <button
      type="button"
      class="small notify"
      aria-pressed="false"
      onClick={() => void Notification.requestPermission().then((p) => session.store.set({ notify: p === 'granted' }))}
    >
      <Bell />
      <span class="label">Enable notifications</span>
    </button>
  );
}

/** At phone width the notification button is this icon alone (its text stays as its accessible name). */
function Bell() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linejoin="round"
        d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0"
      />
    </svg>
  );
}
