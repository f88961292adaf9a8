// The sidebar (issue #14, UI contract): navigation "Conversations" (everyone, rooms, private conversations,
// each a button named by its title, unread count and mention), the room and message buttons, and People.
import { useState } from 'preact/hooks';
import { createRoom, joinRoom, openDm, select } from '../state/actions.js';
import { convLabel, convTitle, type Conv } from '../state/conversations.js';
import { AskDialog } from './Dialog.js';
import { People } from './People.js';
import { PresenceDot } from './PresenceDot.js';
import { useAppState, useSession } from './use-app-state.js';

type Asking = 'create' | 'join' | 'dm' | null;

const byName = (a: Conv, b: Conv): number => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' });

export function Sidebar({ onPicked }: { onPicked: () => void }) {
  const session = useSession();
  const state = useAppState();
  const [asking, setAsking] = useState<Asking>(null);
  const convs = Object.values(state.convs);
  const rooms = convs.filter((c) => c.kind === 'room').sort(byName);
  const dms = convs.filter((c) => c.kind === 'user').sort(byName);
  const pick = (key: string): void => {
    select(session, key);
    onPicked();
  };
  const item = (conv: Conv) => (
    <li key={conv.key}>
      <button
        type="button"
        class={`conv${conv.unread > 0 ? ' unread' : ''}${conv.mentioned && conv.unread > 0 ? ' mentioned' : ''}`}
        aria-current={state.selected === conv.key ? 'page' : undefined}
        aria-label={convLabel(conv)}
        onClick={() => pick(conv.key)}
      >
        {conv.kind === 'user' && <PresenceDot online={state.people[conv.name.toLowerCase()]?.online ?? false} />}
        <span class="conv-title">{convTitle(conv)}</span>
        {conv.unread > 0 && (
          <span class="badge" aria-hidden="true">
            {conv.mentioned ? '@ ' : ''}
            {conv.unread}
          </span>
        )}
      </button>
    </li>
  );
  const everyone = state.convs.everyone;
  return (
    <aside class="sidebar">
      <nav aria-label="Conversations">
        <ul class="conv-list">{everyone && item(everyone)}</ul>
        <div class="section-head">
          <h2>Rooms</h2>
          <div class="section-actions">
            <button type="button" class="small" onClick={() => setAsking('create')}>
              New room
            </button>
            <button type="button" class="small" onClick={() => setAsking('join')}>
              Join room
            </button>
          </div>
        </div>
        <ul class="conv-list">{rooms.map(item)}</ul>
        {rooms.length === 0 && <p class="muted empty">No rooms yet.</p>}
        <div class="section-head">
          <h2>Private</h2>
          <div class="section-actions">
            <button type="button" class="small" onClick={() => setAsking('dm')}>
              New message
            </button>
          </div>
        </div>
        <ul class="conv-list">{dms.map(item)}</ul>
        {dms.length === 0 && <p class="muted empty">No private messages yet.</p>}
      </nav>
      <People onPick={(name) => (openDm(session, name), onPicked())} />
      {asking === 'create' && (
        <AskDialog
          title="New room"
          field="Room name"
          action="Create"
          onSubmit={(room) => createRoom(session, room.replace(/^#/, ''))}
          onClose={() => (setAsking(null), onPicked())}
        />
      )}
      {asking === 'join' && (
        <AskDialog
          title="Join a room"
          field="Room name"
          action="Join"
          onSubmit={(room) => joinRoom(session, room.replace(/^#/, ''))}
          onClose={() => (setAsking(null), onPicked())}
        />
      )}
      {asking === 'dm' && (
        <AskDialog
          title="New message"
          field="User"
          action="Start"
          onSubmit={startDm}
          onClose={() => (setAsking(null), onPicked())}
        />
      )}
    </aside>
  );

  async function startDm(user: string): Promise<string | null> {
    if (user.toLowerCase() === state.me.toLowerCase()) return 'That is you: pick someone else.';
    // The list may be older than the name: ask the server again before saying it does not know it.
    if (!session.store.get().people[user.toLowerCase()]) await session.refreshPeople();
    if (!session.store.get().people[user.toLowerCase()]) return `No user named ${user} is known to the server.`;
    openDm(session, user);
    return null;
  }
}
