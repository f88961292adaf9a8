// A presence dot (issue #14): decoration only; the text next to it (or the list item's name) says it.
export function PresenceDot({ online }: { online: boolean }) {
  return <span class={`presence ${online ? 'on' : 'off'}`} aria-hidden="true" />;
}
