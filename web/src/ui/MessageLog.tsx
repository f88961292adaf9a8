// The messages of one conversation (issue #14, UI contract): a `log` labelled "Messages", rows grouped by
// day and sender, older history read as the user scrolls up, the "New since you were away" divider, and
// "Jump to latest" while the view is scrolled away from the newest message.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { loadOlder } from '../state/history.js';
import { mentions, type Conv } from '../state/conversations.js';
import type { Notice } from '../state/store.js';
import { toRows } from '../text/grouping.js';
import { dayLabel } from './format.js';
import { Message } from './Message.js';
import { useSession } from './use-app-state.js';

/** Within this many pixels of the bottom counts as "at the newest message". */
const NEAR_BOTTOM = 48;
/** Older history is read once the view is this close to the top. */
const NEAR_TOP = 300;

export function MessageLog({ conv, me, notices }: { conv: Conv; me: string; notices: Notice[] }) {
  const session = useSession();
  const ref = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  // What the last render showed: to keep the view still when older messages come in above, follow the
  // newest when the view was at the bottom, and jump to the divider once when it appears.
  const last = useRef({ key: '', first: 0, count: 0, height: 0, bottom: true, divider: null as number | null });
  const rows = toRows(conv.messages, conv.dividerBefore, dayLabel);
  const first = conv.messages[0]?.msgid ?? 0;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const prev = last.current;
    if (prev.key !== conv.key) {
      scrollToDividerOrBottom(el, conv.dividerBefore);
    } else if (conv.dividerBefore !== null && conv.dividerBefore !== prev.divider) {
      scrollToDividerOrBottom(el, conv.dividerBefore);
    } else if (first !== prev.first && prev.first !== 0 && conv.messages.length > prev.count) {
      el.scrollTop += el.scrollHeight - prev.height; // older messages above: keep what was in view still
    } else if (prev.bottom) {
      el.scrollTop = el.scrollHeight;
    }
    last.current = {
      key: conv.key,
      first,
      count: conv.messages.length,
      height: el.scrollHeight,
      bottom: isAtBottom(el),
      divider: conv.dividerBefore,
    };
    setAtBottom(isAtBottom(el));
    // A short conversation never scrolls: read older pages until it fills the view.
    if (el.scrollHeight <= el.clientHeight && conv.hasOlder && conv.loaded) void loadOlder(session, conv.key);
  });

  const onScroll = (): void => {
    const el = ref.current;
    if (!el) return;
    const bottom = isAtBottom(el);
    last.current.bottom = bottom;
    last.current.height = el.scrollHeight;
    if (bottom !== atBottom) setAtBottom(bottom);
    if (bottom && conv.unread > 0) session.markRead(conv.key);
    if (el.scrollTop < NEAR_TOP && conv.hasOlder && conv.loaded) void loadOlder(session, conv.key);
  };

  // An image preview arrives after its message was laid out and makes the log taller without a scroll
  // event: at the bottom, stay there (the new picture is seen whole), unless the "New since you were away"
  // divider is on screen (the reader is there); otherwise "Jump to latest" appears.
  const onImageLoad = (): void => {
    const el = ref.current;
    if (!el) return;
    const mark = el.querySelector<HTMLElement>('.divider');
    const dividerInView = mark !== null && mark.offsetTop >= el.scrollTop;
    if (last.current.bottom && !dividerInView) el.scrollTop = el.scrollHeight;
    last.current.bottom = isAtBottom(el);
    last.current.height = el.scrollHeight;
    setAtBottom(last.current.bottom);
  };

  const jump = (): void => {
    const el = ref.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    session.markRead(conv.key);
  };

  const byMsgid = new Map<number | null, Notice[]>();
  for (const n of notices) byMsgid.set(n.afterMsgid, [...(byMsgid.get(n.afterMsgid) ?? []), n]);
  const noticeRows = (after: number | null) =>
    (byMsgid.get(after) ?? []).map((n) => (
      <div key={`n${n.id}`} class="notice">
        {n.text}
      </div>
    ));

  return (
    <div class="log-wrap">
      <div
        ref={ref}
        class="log"
        role="log"
        aria-label="Messages"
        aria-live="polite"
        tabIndex={0}
        onScroll={onScroll}
        onLoadCapture={onImageLoad}
      >
        <div class="log-top muted">
          {!conv.loaded
            ? 'Loading…'
            : conv.hasOlder
              ? 'Loading older messages…'
              : 'This is the beginning of the conversation.'}
          {conv.loaded && !conv.hasOlder && conv.messages.length === 0 && <p class="empty-hint">{emptyHint(conv)}</p>}
        </div>
        {noticeRows(null)}
        {rows.map((row) => {
          if (row.kind === 'day')
            return (
              <div key={row.key} class="day" role="separator" aria-label={row.label}>
                <span>{row.label}</span>
              </div>
            );
          if (row.kind === 'divider')
            return (
              <div key={row.key} class="divider" role="separator" aria-label="New since you were away">
                <span>New since you were away</span>
              </div>
            );
          return [
            <Message
              key={row.key}
              message={row.message}
              head={row.head}
              mine={row.message.sender.toLowerCase() === me.toLowerCase()}
              mentioned={row.message.sender.toLowerCase() !== me.toLowerCase() && mentions(row.message.text, me)}
            />,
            ...noticeRows(row.message.msgid),
          ];
        })}
      </div>
      {!atBottom && (
        <button type="button" class="jump" aria-label="Jump to latest" onClick={jump}>
          Jump to latest{conv.unread > 0 ? ` (${conv.unread} new)` : ''}
        </button>
      )}
    </div>
  );
}

/** What an empty conversation says, so a new one does not look broken. */
function emptyHint(conv: Conv): string {
  if (conv.kind === 'user')
    return `No messages with ${conv.name} yet. If they are offline, what you send waits for them.`;
  if (conv.kind === 'room') return `No messages in #${conv.name} yet. Say hello!`;
  return 'No messages to everyone yet. What you send here reaches every user.';
}

function isAtBottom(el: HTMLElement): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM;
}

function scrollToDividerOrBottom(el: HTMLElement, divider: number | null): void {
  const mark = divider !== null ? el.querySelector<HTMLElement>('.divider') : null;
  if (mark) el.scrollTop = Math.max(0, mark.offsetTop - el.clientHeight / 3);
  else el.scrollTop = el.scrollHeight;
}
