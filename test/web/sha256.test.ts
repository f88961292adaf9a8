// The web app's own SHA-256 (issue #14, web/src/files/sha256.ts), used where crypto.subtle is missing
// (plain http at a non-localhost address): its digests equal node:crypto's on random bytes of lengths
// around every padding edge (55/56 bytes: the length fits in the last block or needs another) and large
// inputs, fed whole and in uneven pieces (carried partial blocks).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Sha256 } from '../../web/src/files/sha256.js';

const LENGTHS = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 65_537, 1024 * 1024];

const nodeHex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

test('#14 the web SHA-256 equals node:crypto on random inputs of many lengths, whole and in pieces', () => {
  for (const length of LENGTHS) {
    const data = randomBytes(length);
    const want = nodeHex(data);
    assert.equal(new Sha256().update(data).hex(), want, `whole, ${length} bytes`);
    // Uneven pieces (1..130 bytes), so blocks straddle updates at every offset.
    const pieces = new Sha256();
    let step = 1;
    for (let at = 0; at < length; at += step, step = (step * 7 + 3) % 130 || 1)
      pieces.update(data.subarray(at, at + step));
    assert.equal(pieces.hex(), want, `in pieces, ${length} bytes`);
  }
});

test('#14 the web SHA-256 gives the FIPS 180-4 example digests', () => {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  assert.equal(
    new Sha256().update(text('abc')).hex(),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  assert.equal(
    new Sha256().update(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).hex(),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
});

test('#14 random lengths up to 3 KiB match node:crypto', () => {
  for (let i = 0; i < 300; i++) {
    const data = randomBytes(Math.floor(Math.random() * 3072));
    assert.equal(new Sha256().update(data).hex(), nodeHex(data), `${data.length} bytes`);
  }
});
