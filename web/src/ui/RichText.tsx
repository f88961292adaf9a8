// A message's text as text nodes (issue #14): links (http/https only) and code in monospace; never HTML.
import { toSegments } from '../text/segments.js';

/** Renders `text`; line breaks are kept by the CSS (white-space: pre-wrap). */
export function RichText({ text }: { text: string }) {
  return (
    <>
      {toSegments(text).map((segment, i) => {
        switch (segment.kind) {
          case 'link':
            return (
              <a key={i} href={segment.href} target="_blank" rel="noopener noreferrer">
                {segment.text}
              </a>
            );
          case 'code':
            return <code key={i}>{segment.text}</code>;
          case 'block':
            return (
              <pre key={i}>
                <code>{segment.text}</code>
              </pre>
            );
          default:
            return segment.text;
        }
      })}
    </>
  );
}
