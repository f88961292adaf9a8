/**
 * Turns what the domain produces into wire bytes. An event is serialized once and the same buffer is
 * written to every recipient (design §4.10).
 */
import type { ChatMessage, SystemEvent } from '../../protocol/wire.js';
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
  return wire;
}

export function encodeLine(value: object): Buffer {
  return Buffer.from(JSON.stringify(value) + '\n');
}

export function encodeMessage(m: StoredMessage): Buffer {
  return encodeLine(toWire(m));
}

export function encodeSystemEvent(event: SystemEvent): Buffer {
  return encodeLine(event);
}
