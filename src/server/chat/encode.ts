/**
 * Turns what the domain produces into messages: the UTF-8 JSON of one object, unframed. An event is
 * serialized once and the same buffer is written to every recipient (design §4.10); each wire frames
 * it (a newline on the line wire, a text frame on a WebSocket: src/server/transports/). Chat messages are the hot path, so their line is built
 * directly: the only free-form field, `text`, goes through JSON.stringify; names are safe as they are
 * because every user and room name matches the name rules (letters, digits, `.`, `_`, `-`).
 */
import type { ChatMessage, SystemEvent } from '../../protocol/messages.js';
import type { RequestId } from '../../protocol/requests.js';
import type { StoredMessage } from '../store/store.js';

/** The wire form of a stored message, as delivered live, at login and in history. */
export function toWire(m: StoredMessage): ChatMessage {
  const wire: ChatMessage = {
    status: m.kind,
    sender: m.sender,
    receiver: m.receiver,
    text: m.text,
    msgid: m.id,
    seq: m.seq,
    ts: m.ts,
  };
  if (m.event !== null) wire.event = m.event;
  if (m.fileId) wire.file = m.fileId;
  return wire;
}

/** `value` as a message: its JSON bytes. */
export function encodeJson(value: object): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** The same bytes as encodeJson(toWire(m)), built without the intermediate object. */
export function encodeMessage(m: StoredMessage): Buffer {
  const event = m.event === null ? '' : `,"event":"${m.event}"`;
  const file = m.fileId ? `,"file":${m.fileId}` : '';
  return Buffer.from(
    `{"status":"${m.kind}","sender":"${m.sender}","receiver":"${m.receiver}","text":${JSON.stringify(m.text)},"msgid":${m.id},"seq":${m.seq},"ts":"${m.ts}"${event}${file}}`,
  );
}

/**
 * The `ok` reply to a message a client sent: its id, sequence number and time, then `extra` (JSON text
 * typed by the map where it is written: SentText in src/server/commands/command.ts).
 */
export function encodeSentReply(ref: RequestId | undefined, m: StoredMessage, extra = ''): Buffer {
  const head = ref === undefined ? '{"status":"ok"' : `{"status":"ok","ref":${JSON.stringify(ref)}`;
  return Buffer.from(`${head},"msgid":${m.id},"seq":${m.seq},"ts":"${m.ts}","receiver":"${m.receiver}"${extra}}`);
}

/** A system event outside any history (presence, ping, shutdown…), as the map types it. */
export function encodeSystemEvent(event: SystemEvent): Buffer {
  return encodeJson(event);
}
