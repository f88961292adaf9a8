// A file message (issue #14): its name and size, and a button "Download <name>" (files/ does the fetch).
import type { ChatMessage } from '../../../src/protocol/messages.js';

/** The name and size the server's file message text gives ("Alice sent notes.pdf (2.4 MB) [id 7] - /get 7"). */
export function fileFacts(message: ChatMessage): { name: string; size: string } {
  const match = /sent (.+) \(([^()]+)\) \[id \d+\]/.exec(message.text);
  return { name: match?.[1] ?? `file ${message.file}`, size: match?.[2] ?? '' };
}

export function FileCard({ message }: { message: ChatMessage }) {
  const { name, size } = fileFacts(message);
  return (
    <div class="file-card">
      <span class="file-name">{name}</span> <span class="muted">{size}</span>
    </div>
  );
}
