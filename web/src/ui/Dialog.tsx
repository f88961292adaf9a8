// A small modal form (issue #14): one textbox and one button, in a native <dialog> (focus is trapped and
// Escape closes it). Used by "New room", "Join room" and "New message".
import { useEffect, useRef, useState } from 'preact/hooks';

export interface AskProps {
  title: string;
  field: string;
  action: string;
  /** Resolves null when done (the dialog closes), else the refusal to show (it stays open). */
  onSubmit: (value: string) => Promise<string | null>;
  onClose: () => void;
}

export function AskDialog({ title, field, action, onSubmit, onClose }: AskProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (value.trim() === '' || busy) return;
    setBusy(true);
    const refusal = await onSubmit(value.trim());
    setBusy(false);
    if (refusal === null) onClose();
    else setError(refusal);
  };
  return (
    <dialog ref={ref} class="ask" aria-labelledby="ask-title" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <h2 id="ask-title">{title}</h2>
        <label for="ask-field">{field}</label>
        <input id="ask-field" autoFocus value={value} maxLength={32} onInput={(e) => setValue(e.currentTarget.value)} />
        {error !== null && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <div class="row end">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {action}
          </button>
        </div>
      </form>
    </dialog>
  );
}
