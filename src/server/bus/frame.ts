/**
 * The bytes of one bus message between nodes (issue #15): the payload as it is, behind a small binary
 * header, so a payload is never re-encoded (no JSON, no base64) and any bytes survive.
 *
 *   version (1 byte, 1) · node id length (1 byte) · node id (UTF-8) · epoch (4 bytes) · seq (6 bytes) · payload
 *
 * `epoch` is random per bus instance and `seq` counts that instance's messages of one topic from 1, so a
 * receiver can tell a lost message (a jump), a duplicate (a resend after a reconnect) and a restarted
 * publisher (a new epoch); see `SequenceCheck` in src/server/bus/sequence-check.ts. All integers big-endian.
 */

const VERSION = 1;
const MAX_NODE_ID_BYTES = 255;
const SEQ_BYTES = 6;

export interface Frame {
  fromNode: string;
  epoch: number;
  seq: number;
  payload: Buffer;
}

/** Throws unless `nodeId` fits the header (1 to 255 bytes of UTF-8). */
export function checkNodeId(nodeId: string): void {
  const bytes = Buffer.byteLength(nodeId);
  if (bytes === 0 || bytes > MAX_NODE_ID_BYTES) throw new Error(`a node id is 1 to ${MAX_NODE_ID_BYTES} bytes`);
}

/** The header and payload as one buffer (one copy of the payload). */
export function encodeFrame(frame: Frame): Buffer {
  const node = Buffer.from(frame.fromNode);
  const header = Buffer.alloc(2 + node.length + 4 + SEQ_BYTES);
  header[0] = VERSION;
  header[1] = node.length;
  node.copy(header, 2);
  header.writeUInt32BE(frame.epoch >>> 0, 2 + node.length);
  header.writeUIntBE(frame.seq, 2 + node.length + 4, SEQ_BYTES);
  return Buffer.concat([header, frame.payload]);
}

/** The frame in `bytes`, or null when they are not a frame of this version (the caller logs it). */
export function decodeFrame(bytes: Buffer): Frame | null {
  if (bytes.length < 2 || bytes[0] !== VERSION) return null;
  const nodeLength = bytes[1]!;
  const headerLength = 2 + nodeLength + 4 + SEQ_BYTES;
  if (nodeLength === 0 || bytes.length < headerLength) return null;
  return {
    fromNode: bytes.toString('utf8', 2, 2 + nodeLength),
    epoch: bytes.readUInt32BE(2 + nodeLength),
    seq: bytes.readUIntBE(2 + nodeLength + 4, SEQ_BYTES),
    // A view, not a copy: the payload is handed to handlers as received.
    payload: bytes.subarray(headerLength),
  };
}
