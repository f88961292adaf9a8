// Uploads in progress in a conversation (issue #14, UI contract): each with a role="progressbar".
import { useAppState } from './use-app-state.js';
import { sizeOf } from './format.js';

export function Transfers({ convKey }: { convKey: string }) {
  const state = useAppState();
  const mine = state.transfers.filter((t) => t.convKey === convKey && t.state !== 'done');
  if (mine.length === 0) return null;
  return (
    <ul class="transfers" aria-label="Uploads">
      {mine.map((t) => {
        const percent = t.size === 0 ? 100 : Math.floor((t.sent / t.size) * 100);
        const what =
          t.state === 'hashing'
            ? 'Preparing'
            : t.state === 'paused'
              ? 'Paused, resumes when connected'
              : t.state === 'failed'
                ? `Failed: ${t.error ?? ''}`
                : `${sizeOf(t.sent)} of ${sizeOf(t.size)}`;
        return (
          <li key={t.id} class={`transfer ${t.state}`}>
            <span class="file-name">{t.name}</span>
            <progress max={100} value={percent} aria-label={`Uploading ${t.name}`} aria-valuetext={`${percent}%`} />
            <span class="muted">{what}</span>
          </li>
        );
      })}
    </ul>
  );
}
