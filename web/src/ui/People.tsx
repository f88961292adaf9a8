// Who is online (issue #14, UI contract): a list labelled "People", items named "Alice, online" / "Bob, offline".
import { PresenceDot } from './PresenceDot.js';
import { useAppState } from './use-app-state.js';

export function People({ onPick }: { onPick: (name: string) => void }) {
  const state = useAppState();
  const me = state.me.toLowerCase();
  const people = Object.values(state.people).sort(
    (a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }),
  );
  const online = people.filter((p) => p.online).length;
  return (
    <section class="people" aria-labelledby="people-title">
      <div class="section-head">
        <h2 id="people-title">
          People <span class="muted">{online} online</span>
        </h2>
      </div>
      <ul aria-label="People" class="people-list">
        {people.map((p) => {
          const label = `${p.name}, ${p.online ? 'online' : 'offline'}`;
          const self = p.name.toLowerCase() === me;
          return (
            <li key={p.name} aria-label={label} class={p.online ? '' : 'away'}>
              <PresenceDot online={p.online} />
              {self ? (
                <span class="person">
                  {p.name} <span class="muted">(you)</span>
                </span>
              ) : (
                <button
                  type="button"
                  class="person link"
                  aria-label={`Message ${p.name}`}
                  title={`Message ${p.name}`}
                  onClick={() => onPick(p.name)}
                >
                  {p.name}
                </button>
              )}
              {p.admin && <span class="tag">admin</span>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
