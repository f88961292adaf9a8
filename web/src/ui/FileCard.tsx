// A file message (issue #14, UI contract): its name and size and a button "Download <name>"; an image
// shows a preview (<img alt=name>) fetched over the WebSocket once it scrolls into view.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatMessage } from '../../../src/protocol/messages.js';
import { fetchFile, mimeOf, save, type Fetched } from '../files/download.js';
import { useSession } from './use-app-state.js';

/** Images larger than this are not fetched for a preview (the download button still works). */
const PREVIEW_MAX_BYTES = 8e6;
const UNITS: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };

/** The name and size the server's file message gives ("Alice sent notes.pdf (2.4 MB) [id 7] - /get 7"). */
export function fileFacts(message: ChatMessage): { name: string; size: string; bytes: number } {
  const match = /sent (.+) \(([^()]+)\) \[id \d+\]/.exec(message.text);
  const size = match?.[2] ?? '';
  const [value, unit] = size.split(' ');
  return {
    name: match?.[1] ?? `file ${message.file}`,
    size,
    bytes: Number(value) * (UNITS[unit ?? ''] ?? Number.NaN),
  };
}

export function FileCard({ message }: { message: ChatMessage }) {
  const session = useSession();
  const { name, size, bytes } = fileFacts(message);
  const fileId = message.file!;
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<Fetched | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const isImage = mimeOf(name) !== '' && bytes <= PREVIEW_MAX_BYTES;

  useEffect(() => {
    const el = box.current;
    if (!isImage || !el) return;
    const seen = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      seen.disconnect();
      fetchFile(session, fileId).then(setPreview, (err: Error) => setError(err.message));
    });
    seen.observe(el);
    return () => seen.disconnect();
  }, [fileId, isImage]);

  const download = async (): Promise<void> => {
    setError(null);
    try {
      const fetched = await fetchFile(session, fileId, (got, total) => setProgress(total ? got / total : 1));
      save(fetched);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setProgress(null);
    }
  };

  return (
    <div class="file-card" ref={box}>
      {preview && <img src={preview.url} alt={name} loading="lazy" />}
      <div class="file-line">
        {!isImage && <DocIcon />}
        <span class="file-name">{name}</span>
        <span class="muted">{size}</span>
        {/* Shown as "Download" (the name is beside it); named in full for screen readers and the tests. */}
        <button
          type="button"
          class="small file-get"
          aria-label={`Download ${name}`}
          title={`Download ${name}`}
          onClick={() => void download()}
          disabled={progress !== null}
        >
          Download
        </button>
      </div>
      {progress !== null && (
        <progress max={100} value={Math.floor(progress * 100)} aria-label={`Downloading ${name}`} />
      )}
      {error !== null && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function DocIcon() {
  return (
    <svg class="file-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="1.6"
        stroke-linejoin="round"
        d="M6 2.5h8l4.5 4.5v14.5h-12.5zM14 2.5V7h4.5M9 12h6M9 15.5h6"
      />
    </svg>
  );
}
