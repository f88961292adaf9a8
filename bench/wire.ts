/**
 * The bench's side of the ClassChat protocol: request lines, a cheap classification of received
 * lines, and the payload format. The server writes every object with "status" first, so the first
 * character of the status value (offset 11) tells a line's kind without parsing it; only the bench's
 * own payload is read from chat messages, found after `"text":"`.
 *
 * Payload: `<K><from>.<seq>.<sentUs>.<pad>`, K = F (fan-out), D (direct) or C (the file workload's chat
 * probe): ASCII, no escaping.
 */

const STATUS_PREFIX = '{"status":"';
const TEXT_KEY = '"text":"';

export const enum Kind {
  Ok,
  Error,
  Group,
  Private,
  System,
  Other,
}

/** The kind of the line `data.slice(start, end)`. */
export function kindOf(data: string, start: number): Kind {
  if (!data.startsWith(STATUS_PREFIX, start)) return Kind.Other;
  switch (data.charCodeAt(start + 11)) {
    case 111: // o
      return data.startsWith('ok"', start + 11) ? Kind.Ok : Kind.Other;
    case 101: // e
      return data.startsWith('error"', start + 11) ? Kind.Error : Kind.Other;
    case 103: // g
      return data.startsWith('group"', start + 11) ? Kind.Group : Kind.Other;
    case 112: // p
      return data.startsWith('private"', start + 11) ? Kind.Private : Kind.Other;
    case 115: // s
      return data.startsWith('system"', start + 11) ? Kind.System : Kind.Other;
    default:
      return Kind.Other;
  }
}

/** Where the text value of a chat line starts, or -1. */
export function textStart(data: string, start: number, end: number): number {
  const i = data.indexOf(TEXT_KEY, start + 17);
  return i === -1 || i >= end ? -1 : i + TEXT_KEY.length;
}

/** The fields of a parsed payload; reused, so read them before the next parse. */
export const payload = { from: 0, seq: 0, sentUs: 0 };

/** Parses `<K><from>.<seq>.<sentUs>.` at data[i] (the K). False when the shape does not match. */
export function parsePayload(data: string, i: number, kind: number): boolean {
  if (data.charCodeAt(i) !== kind) return false;
  let p = i + 1;
  let v = 0;
  let ch: number;
  let digits = 0;
  while ((ch = data.charCodeAt(p)) >= 48 && ch <= 57) {
    v = v * 10 + (ch - 48);
    p++;
    digits++;
  }
  if (ch !== 46 || digits === 0) return false;
  payload.from = v;
  v = 0;
  digits = 0;
  p++;
  while ((ch = data.charCodeAt(p)) >= 48 && ch <= 57) {
    v = v * 10 + (ch - 48);
    p++;
    digits++;
  }
  if (ch !== 46 || digits === 0) return false;
  payload.seq = v;
  v = 0;
  digits = 0;
  p++;
  while ((ch = data.charCodeAt(p)) >= 48 && ch <= 57) {
    v = v * 10 + (ch - 48);
    p++;
    digits++;
  }
  if (ch !== 46 || digits === 0) return false;
  payload.sentUs = v;
  return true;
}

export const FANOUT = 70; // 'F'
export const DIRECT = 68; // 'D'
export const CHAT = 67; // 'C'

export function payloadText(kind: 'F' | 'D' | 'C', from: number, seq: number, sentUs: number, pad: string): string {
  return `${kind}${from}.${seq}.${sentUs}.${pad}`;
}

export const req = {
  // With a password: the bench server runs with --auth accounts (server-process.ts).
  register: (name: string) => `{"status":"register","sender":"${name}","password":"bench password","id":"r"}\n`,
  create: (room: string) => `{"status":"create","receiver":"${room}","id":"c"}\n`,
  join: (room: string) => `{"status":"join","receiver":"${room}","id":"j"}\n`,
  rooms: () => `{"status":"rooms","id":"a"}\n`,
  group: (room: string, text: string) => `{"status":"group","receiver":"${room}","text":"${text}"}\n`,
  private: (to: string, text: string) => `{"status":"private","receiver":"${to}","text":"${text}"}\n`,
  upload: (to: string, name: string, size: number, sha256: string) =>
    `{"status":"upload","id":"up","receiver":"${to}","name":"${name}","size":${size},"sha256":"${sha256}"}\n`,
  /** `data` is base64 (no escaping needed). */
  chunk: (file: number, offset: number, data: string) =>
    `{"status":"chunk","file":${file},"offset":${offset},"data":"${data}"}\n`,
  fetch: (file: number, offset: number, length: number) =>
    `{"status":"fetch","file":${file},"offset":${offset},"length":${length}}\n`,
};
