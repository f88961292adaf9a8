// Bytes for the file protocol (issue #14): base64 both ways, hex SHA-256 and random ids, in the browser (no
// Buffer), on https and on plain http alike.
import { Sha256 } from './sha256.js';

/** `bytes` as base64 (btoa over pieces, so a 45 KiB chunk does not overflow the argument list). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The bytes of a base64 string. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Slices read at a time when hashing without crypto.subtle: the file is never held whole for it. */
const HASH_SLICE = 4 * 1024 * 1024;

/**
 * Hex SHA-256 of `blob`. crypto.subtle (native, fast) exists only in secure contexts (https, localhost);
 * over plain http at the teacher's address it is undefined, and the pure-TypeScript hash reads the blob
 * in slices instead.
 */
export async function sha256Hex(blob: Blob): Promise<string> {
  // Optional in fact though typed as always there: `isSecureContext` decides whether it exists.
  const subtle = globalThis.crypto?.subtle as SubtleCrypto | undefined;
  if (subtle) {
    const digest = new Uint8Array(await subtle.digest('SHA-256', await blob.arrayBuffer()));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  const hash = new Sha256();
  for (let at = 0; at < blob.size; at += HASH_SLICE)
    hash.update(new Uint8Array(await blob.slice(at, at + HASH_SLICE).arrayBuffer()));
  return hash.hex();
}

/** A random id of 128 bits in hex (crypto.getRandomValues works on plain http; randomUUID does not). */
export function randomHex(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
