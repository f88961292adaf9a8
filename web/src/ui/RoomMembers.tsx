// A room's members (issue #14): a "Members" disclosure listing them with presence, and for the room's owner
// or an admin the buttons "Kick <user>" and (admins) "Mute <user>".
import { useEffect, useState } from 'preact/hooks';
import type { MemberSummary } from '../../../src/protocol/messages.js';
import { kick, mute } from '../state/actions.js';
import type { Conv } from '../state/conversations.js';
import { PresenceDot } from './PresenceDot.js';
import { useAppState, useSession } from './use-app-state.js';

const MUTE_SECONDS = 600;

export function RoomMembers({ conv, canModerate }: { conv: Conv; canModerate: boolean }) {
  const session = useSession();
  const state = useAppState();
  const [open, setOpen] = useState(false);
  const [members, setMembers] = useState<MemberSummary[] | null>(null);

  const refresh = async (): Promise<void> => {
    const reply = await session.request({ status: 'members', receiver: conv.name, limit: 500 });
    if (reply && reply.status === 'ok') setMembers(reply.members);
    else if (reply) session.notice(conv.key, reply.text);
  };
  useEffect(() => {
    setMembers(null);
    if (open) void refresh();
  }, [conv.key, open]);

  const say = (text: string): void => {
    session.notice(conv.key, text);
    void refresh();
  };
  const me = state.me.toLowerCase();
  return (
    <div class="members">
      <button type="button" class="small" aria-expanded={open} onClick={() => setOpen(!open)}>
        Members
      </button>
      {open && (
        <div
          class="members-panel"
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
          }}
        >
          {members === null ? (
            <p class="muted">Loading…</p>
          ) : (
            <ul aria-label={`Members of ${conv.name}`}>
              {members.map((m) => (
                <li key={m.name}>
                  <PresenceDot online={state.people[m.name.toLowerCase()]?.online ?? m.online} />
                  <span class="person">{m.name}</span>
                  {canModerate && m.name.toLowerCase() !== me && (
                    <span class="row">
                      <button
                        type="button"
                        class="small"
                        onClick={() => void kick(session, m.name, conv.name).then(say)}
                      >
                        Kick {m.name}
                      </button>
                      {state.role === 'admin' && (
                        <button
                          type="button"
                          class="small"
                          title="Mute for 10 minutes"
                          onClick={() => void mute(session, m.name, MUTE_SECONDS).then(say)}
                        >
                          Mute {m.name}
                        </button>
                      )}
                    </span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
