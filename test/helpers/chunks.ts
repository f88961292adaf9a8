/** Cutting a byte stream into chunks, as the network may deliver it (property tests, issue #4). */

/** Cuts `bytes` at the given positions, taken modulo its length + 1 so any numbers do; chunks may be empty. */
export function cut(bytes: Buffer, positions: readonly number[]): Buffer[] {
  const at = positions.map((p) => p % (bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const end of [...at, bytes.length]) {
    chunks.push(bytes.subarray(start, end));
    start = end;
  }
  return chunks;
}
