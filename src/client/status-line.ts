/**
 * The interactive screen's status line, one row just above the prompt: where unread messages are
 * (issue #12.6: `Act: Lab:3 @Bob:1`, conversations that mention you painted) and each running file
 * transfer's progress (issue #5). It is cut to the terminal's width: a wrapped status line could not
 * be redrawn in place.
 */
import type { Unread } from './activity.js';
import { cutToWidth, displayWidth } from './text-width.js';

/** A piece of the line, painted as a mention or not. */
interface Piece {
  text: string;
  mention: boolean;
}

/**
 * The status line for `unread` conversations and `progress` lines within `width` columns, and the
 * columns it takes; empty when there is nothing to show. `highlight` paints a mention.
 */
export function statusLine(
  unread: Unread[],
  progress: string[],
  width: number,
  highlight: (text: string) => string,
): { text: string; width: number } {
  const pieces: Piece[] = [];
  const plain = (text: string) => pieces.push({ text, mention: false });
  unread.forEach((u, i) => {
    plain(i === 0 ? 'Act: ' : ' ');
    pieces.push({ text: `${u.label}:${u.count}`, mention: u.mention });
  });
  progress.forEach((line, i) => {
    if (i > 0 || unread.length > 0) plain('  |  ');
    plain(line);
  });
  let text = '';
  let used = 0;
  for (const piece of pieces) {
    if (used >= width) break;
    const fits = cutToWidth(piece.text, width - used);
    text += piece.mention ? highlight(fits) : fits;
    used += displayWidth(fits);
    if (fits !== piece.text) break;
  }
  return { text, width: used };
}
