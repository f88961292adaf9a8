// The connection's state (issue #14, UI contract): role="status" saying Connected, Reconnecting or Offline.
import { useAppState, useSession } from './use-app-state.js';

const WORDS = { connected: 'Connected', connecting: 'Connecting…', reconnecting: 'Reconnecting…', offline: 'Offline' };

export function Status() {
  const session = useSession();
  const state = useAppState();
  const pending = state.pending.length;
  return (
    <div class="status-wrap">
      <div role="status" class={`status status-${state.conn}`}>
        <span class="dot" aria-hidden="true" />
        {WORDS[state.conn]}
        {state.conn !== 'connected' && pending > 0 && ` · ${pending} waiting to send`}
        {state.connNote !== null && state.conn !== 'connected' && <span class="muted"> · {state.connNote}</span>}
      </div>
      {state.conn === 'offline' && state.phase === 'in' && (
        <button type="button" class="small" onClick={() => session.reconnectNow()}>
          Reconnect
        </button>
      )}
    </div>
  );
}
