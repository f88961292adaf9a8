// One message (issue #14, UI contract): an <article data-msgid>, with sender and local time; a system
// event as one muted line; a file message with its download card.
import type { ChatMessage } from '../../../src/protocol/messages.js';
import { FileCard } from './FileCard.js';
import { timeOf } from './format.js';
import { RichText } from './RichText.js';

export function Message({
  message,
  head,
  mine,
  mentioned,
}: {
  message: ChatMessage;
  head: boolean;
  mine: boolean;
  mentioned: boolean;
}) {
  const time = (
    <time dateTime={message.ts} title={new Date(message.ts).toLocaleString()}>
      {timeOf(message.ts)}
    </time>
  );
  if (message.status === 'system')
    return (
      <article class="msg system" data-msgid={message.msgid} aria-label={`${message.text}, ${timeOf(message.ts)}`}>
        <span class="system-text">{message.text}</span> {time}
      </article>
    );
  return (
    <article
      class={`msg${head ? ' head' : ' cont'}${mine ? ' mine' : ''}${mentioned ? ' mention' : ''}`}
      data-msgid={message.msgid}
      aria-label={`${message.sender} at ${timeOf(message.ts)}`}
    >
      {head && (
        <span class={`avatar c${hue(message.sender)}`} aria-hidden="true">
          {message.sender.slice(0, 1).toUpperCase()}
        </span>
      )}
      {head ? (
        <header class="msg-head">
          <span class="sender">{message.sender}</span> {time}
        </header>
      ) : (
        <span class="cont-meta">
          <span class="sr-only">{message.sender} </span>
          {time}
        </span>
      )}
      <div class="msg-body">
        {message.file !== undefined ? <FileCard message={message} /> : <RichText text={message.text} />}
      </div>
    </article>
  );
}

/** One of eight avatar colours, the same for a name every time. */
function hue(name: string): number {
  let h = 0;
  for (const ch of name.toLowerCase()) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % 8;
}
