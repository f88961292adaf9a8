/**
 * One commit's messages on the bus (#15): a JSON array of rows, each an array in a fixed column order,
 * so the field names are not repeated per message. Decoded rows are checked for shape: a node must not
 * deliver garbage because another node (or an older version of it) sent some.
 */
import type { StoredMessage } from '../store/store.js';

type Row = [
  id: number,
  convId: number,
  seq: number,
  kind: StoredMessage['kind'],
  senderId: number | null,
  sender: string,
  receiver: string,
  text: string,
  ts: string,
  event: StoredMessage['event'],
  fileId: number | null,
];

const KINDS: ReadonlySet<string> = new Set(['private', 'group', 'broadcast', 'system']);

export function encodeBatch(messages: readonly StoredMessage[]): Buffer {
  const rows: Row[] = messages.map((m) => [
    m.id,
    m.convId,
    m.seq,
    m.kind,
    m.senderId,
    m.sender,
    m.receiver,
    m.text,
    m.ts,
    m.event,
    m.fileId ?? null,
  ]);
  return Buffer.from(JSON.stringify(rows));
}

/** The messages of a batch; throws when it is not one. */
export function decodeBatch(payload: Buffer): StoredMessage[] {
  const rows: unknown = JSON.parse(payload.toString());
  if (!Array.isArray(rows)) throw new Error('a batch is an array');
  return rows.map((row: unknown) => {
    if (!Array.isArray(row) || row.length !== 11) throw new Error('a batch row has 11 columns');
    const [id, convId, seq, kind, senderId, sender, receiver, text, ts, event, fileId] = row as Row;
    if (
      !Number.isInteger(id) ||
      !Number.isInteger(convId) ||
      !Number.isInteger(seq) ||
      !KINDS.has(kind) ||
      typeof sender !== 'string' ||
      typeof receiver !== 'string' ||
      typeof text !== 'string' ||
      typeof ts !== 'string'
    )
      throw new Error('a batch row is not a message');
    return { id, convId, seq, kind, senderId, sender, receiver, text, ts, event, fileId };
  });
}
