// The sign-in form (issue #14, UI contract): textbox "Name", textbox "Password", button "Sign in", errors in role="alert".
import { useState } from 'preact/hooks';
import { useAppState, useSession } from './use-app-state.js';

export function SignIn() {
  const session = useSession();
  const state = useAppState();
  const [name, setName] = useState(state.me);
  const [password, setPassword] = useState('');
  const busy = state.phase === 'signing-in';
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    if (name.trim() === '' || busy) return;
    void session.signIn(name.trim(), password);
  };
  return (
    <main class="signin">
      <form class="signin-card" onSubmit={onSubmit} aria-labelledby="signin-title">
        <h1 id="signin-title">ClassChat</h1>
        <p class="muted">Sign in with your name. A password is needed only if your name has one.</p>
        <label for="signin-name">Name</label>
        <input
          id="signin-name"
          name="name"
          autoComplete="username"
          autoFocus
          required
          maxLength={32}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <label for="signin-password">Password {!state.needPassword && <span class="muted">(optional)</span>}</label>
        <input
          id="signin-password"
          name="password"
          type="password"
          aria-label="Password"
          autoComplete="current-password"
          required={state.needPassword}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {state.signInError !== null && (
          <p role="alert" class="error">
            {state.signInError}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
