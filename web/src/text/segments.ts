/**
 * A message's text as pieces to render (issue #14): plain text, http(s) links, `inline code` and fenced
 * code blocks. The UI renders every piece as text nodes (never as HTML), so nothing here escapes; this only
 * decides which pieces are links or monospace. Pure, so node:test runs it (test/web/segments.test.ts).
 */

export type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'code'; text: string }
  | { kind: 'block'; text: string };

// A fence is ``` at a line start, an optional language word, then everything up to the closing ```.
const FENCE = /```[^\n`]*\n?([\s\S]*?)```/g;
const INLINE_CODE = /`([^`\n]+)`/g;
// A URL runs to whitespace; trailing punctuation that usually ends a sentence is not part of it.
const LINK = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'")\]}]+$/;

/** `text` cut into segments, in order; joined back, their texts give `text` minus the code fences' backticks. */
export function toSegments(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(FENCE)) {
    pushInline(text.slice(last, match.index), out);
    out.push({ kind: 'block', text: (match[1] ?? '').replace(/\n$/, '') });
    last = match.index + match[0].length;
  }
  pushInline(text.slice(last), out);
  return out;
}

function pushInline(text: string, out: Segment[]): void {
  let last = 0;
  for (const match of text.matchAll(INLINE_CODE)) {
    pushLinks(text.slice(last, match.index), out);
    out.push({ kind: 'code', text: match[1] ?? '' });
    last = match.index + match[0].length;
  }
  pushLinks(text.slice(last), out);
}

function pushLinks(text: string, out: Segment[]): void {
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const url = match[0].replace(TRAILING, '');
    const href = safeHref(url);
    if (href === null) continue;
    pushText(text.slice(last, match.index), out);
    out.push({ kind: 'link', text: url, href });
    last = match.index + url.length;
  }
  pushText(text.slice(last), out);
}

function pushText(text: string, out: Segment[]): void {
  if (text === '') return;
  const prev = out.at(-1);
  if (prev?.kind === 'text') prev.text += text;
  else out.push({ kind: 'text', text });
}

/** The URL as an href when it parses as http or https, else null (no javascript:, data: or the like). */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}
