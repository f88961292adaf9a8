// The composer (issue #14, UI contract): textbox "Message" (Enter sends, Shift+Enter a new line), button
// "Send", button "Attach file" with a visually hidden file input labelled "File"; slash commands too.
import { useEffect, useRef, useState } from 'preact/hooks';
import { submit } from '../state/actions.js';
import type { Conv } from '../state/conversations.js';
import { convTitle } from '../state/conversations.js';
import { useSession } from './use-app-state.js';

/** Drafts per conversation, so switching away and back keeps what was typed. */
const drafts = new Map<string, string>();

export function Composer({ conv, onFiles }: { conv: Conv; onFiles: (files: File[]) => void }) {
  const session = useSession();
  const [text, setText] = useState(drafts.get(conv.key) ?? '');
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  // The composer is keyed by conversation (a new one mounts on each switch), so its draft is read at once.
  useEffect(() => {
    if (matchMedia('(min-width: 700px)').matches) area.current?.focus();
  }, []);

  useEffect(() => {
    // Grow with the text up to a limit (a CSSOM property: allowed by the CSP's style-src 'self').
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [text]);

  const update = (value: string): void => {
    drafts.set(conv.key, value);
    setText(value);
  };

  const send = async (): Promise<void> => {
    if (text.trim() === '') return;
    const sentText = text;
    update('');
    const done = await submit(session, sentText);
    if (!done && (drafts.get(conv.key) ?? '') === '') update(sentText);
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <button
        type="button"
        class="icon"
        aria-label="Attach file"
        title="Attach file"
        onClick={() => fileInput.current?.click()}
      >
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            d="M21 11.5l-8.6 8.6a5 5 0 01-7.1-7.1l8.6-8.6a3.5 3.5 0 015 5l-8.6 8.6a2 2 0 01-2.8-2.8l7.9-7.9"
          />
        </svg>
      </button>
      <input
        ref={fileInput}
        type="file"
        class="sr-only"
        aria-label="File"
        tabIndex={-1}
        multiple
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          if (files.length > 0) onFiles(files);
        }}
      />
      <textarea
        ref={area}
        aria-label="Message"
        rows={1}
        placeholder={`Message ${convTitle(conv)}`}
        value={text}
        onInput={(e) => update(e.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" class="primary send" disabled={text.trim() === ''}>
        Send
      </button>
    </form>
  );
}
