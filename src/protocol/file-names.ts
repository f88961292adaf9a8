/**
 * File names from other people are never trusted (issue #5). The server cleans the name an uploader
 * gives before anyone sees it, and the client cleans it again before it saves anything, so neither
 * depends on the other being right.
 */

import { wellFormed } from './well-formed.js';

/** Longest cleaned name, in UTF-8 bytes (most file systems allow 255). */
export const MAX_FILE_NAME_BYTES = 200;

/** Used when nothing usable is left of a name. */
const FALLBACK = 'file';
/** Characters Windows does not allow in names, and which shells treat specially. */
const RESERVED_CHARS = /[<>:"|?*]/g;
/** C0 and C1 control characters and DEL (general category Cc: U+0000-U+001F, U+007F-U+009F). */
const CONTROL_CHARS = /\p{Cc}/gu;
/** Bidirectional overrides and isolates: they make "gpj.exe" display as "exe.jpg". */
const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Device names Windows reserves whatever the extension (CON.txt is the console). */
const RESERVED_NAMES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * A name safe to show and to save as: well-formed (no lone surrogate), the last path part only, no
 * control, bidi or reserved characters, no leading dots or trailing dots and spaces, not a device name, at most
 * MAX_FILE_NAME_BYTES (the extension is kept when the stem is cut).
 */
export function safeFileName(raw: string): string {
  // Lone surrogates become U+FFFD, as the server's edge does (issue #11.15): the client cleans names too.
  const lastPart = wellFormed(raw).normalize('NFC').split(/[/\\]/).pop() ?? '';
  let name = lastPart.replace(CONTROL_CHARS, '').replace(BIDI_CONTROLS, '').replace(RESERVED_CHARS, '_');
  // Leading dots would hide the file (or be "." and ".."); trailing dots and spaces vanish on Windows.
  name = name.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  if (name === '') return FALLBACK;
  if (RESERVED_NAMES.test(name)) name = `_${name}`;
  return truncateKeepingExtension(name, MAX_FILE_NAME_BYTES);
}

function truncateKeepingExtension(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  let stem = name.slice(0, name.length - ext.length);
  const room = maxBytes - Buffer.byteLength(ext);
  // Cut by code points, so a character is never split in half.
  const points = Array.from(stem);
  while (points.length > 0 && Buffer.byteLength(points.join('')) > room) points.pop();
  stem = points.join('');
  return stem === '' ? FALLBACK + ext : stem + ext;
}

/** "2.4 MB": sizes as people read them (powers of 1000, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
