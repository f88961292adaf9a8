// The open conversation (issue #14): its header (title, members' actions, "Leave room", "Delete room"),
// the message log, uploads in progress, and the composer; files dropped on it are sent to it.
import { useState } from 'preact/hooks';
import { deleteRoom, leaveRoom } from '../state/actions.js';
import { convTitle, type Conv } from '../state/conversations.js';
import { Composer } from './Composer.js';
import { MessageLog } from './MessageLog.js';
import { PresenceDot } from './PresenceDot.js';
import { RoomMembers } from './RoomMembers.js';
import { Transfers } from './Transfers.js';
import { useAppState, useSession } from './use-app-state.js';

export function ConversationView({ conv, onFiles }: { conv: Conv; onFiles: (files: File[]) => void }) {
  const session = useSession();
  const state = useAppState();
  const [dragging, setDragging] = useState(false);
  const isOwner = conv.kind === 'room' && state.owners[conv.key]?.toLowerCase() === state.me.toLowerCase();
  const canModerate = conv.kind === 'room' && (state.role === 'admin' || isOwner);
  const say = (text: string | null): void => {
    if (text !== null) session.notice(conv.key, text);
  };
  const online = conv.kind === 'user' ? state.people[conv.name.toLowerCase()]?.online : undefined;
  return (
    <section
      class={`conversation${dragging ? ' dragging' : ''}`}
      aria-labelledby="conv-title"
      onDragOver={(e) => {
        if (e.dataTransfer?.types.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const files = Array.from(e.dataTransfer?.files ?? []);
        if (files.length > 0) onFiles(files);
      }}
    >
      <header class="conv-head">
        <h2 id="conv-title">
          {convTitle(conv)}
          {online !== undefined && (
            <span class="muted small-text head-presence">
              <PresenceDot online={online} /> {online ? 'online' : 'offline'}
            </span>
          )}
        </h2>
        <div class="conv-actions">
          {conv.kind === 'room' && (
            <>
              <RoomMembers conv={conv} canModerate={canModerate} />
              <button type="button" class="small" onClick={() => void leaveRoom(session, conv.name).then(say)}>
                Leave room
              </button>
              {canModerate && (
                <button
                  type="button"
                  class="small danger"
                  onClick={() => {
                    if (confirm(`Delete ${conv.name} and its history for everyone?`))
                      void deleteRoom(session, conv.name).then(say);
                  }}
                >
                  Delete room
                </button>
              )}
            </>
          )}
        </div>
      </header>
      <MessageLog conv={conv} me={state.me} notices={state.notices.filter((n) => n.convKey === conv.key)} />
      <Pending conv={conv} />
      <Transfers convKey={conv.key} />
      <Composer key={conv.key} conv={conv} onFiles={onFiles} />
      {dragging && (
        <div class="drop-hint" aria-hidden="true">
          Drop to send to {convTitle(conv)}
        </div>
      )}
    </section>
  );
}

/** Messages of this conversation waiting in the outbox (offline, or paced by the flood guard). */
function Pending({ conv }: { conv: Conv }) {
  const state = useAppState();
  const mine = state.pending.filter((p) =>
    p.request.status === 'broadcast'
      ? conv.kind === 'everyone'
      : p.request.receiver.toLowerCase() === conv.name.toLowerCase() && conv.kind !== 'everyone',
  );
  if (mine.length === 0) return null;
  return (
    <ul class="pending" aria-label="Waiting to send">
      {mine.map((p) => (
        <li key={p.id}>
          <span class="muted">{state.conn === 'connected' ? 'Sending…' : 'Waiting for the connection…'}</span>{' '}
          <span class="pending-text">{p.request.text}</span>
        </li>
      ))}
    </ul>
  );
}
