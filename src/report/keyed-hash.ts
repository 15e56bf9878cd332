/**
 * Keyed pseudonyms for the transparency archive. The 2019 releases replaced small accounts' ids
 * with a plain hash, which anyone can recompute for a guessed id (and a public project did); a
 * keyed HMAC-SHA256 cannot be recomputed without the key, which the platform keeps. Same key,
 * same pseudonym: researchers can still follow one account across the archive's files.
 */
import { createHmac } from 'node:crypto';
import { badOption } from '../model/index.js';

/** Shortest key accepted: 128 bits (RFC 2104 recommends at least the hash output length; 32 bytes is better). */
export const MIN_KEY_BYTES = 16;

/**
 * The key from its base64 text (configuration: LOCKSTEP_DISCLOSURE_KEY). Refuses a missing,
 * malformed or short key: an archive must never go out with plain hashes.
 * @example parseDisclosureKey(randomBytes(32).toString('base64'))
 */
export function parseDisclosureKey(base64: string | null | undefined): Buffer {
  const where = 'LOCKSTEP_DISCLOSURE_KEY';
  if (base64 === null || base64 === undefined || base64.trim() === '') {
    throw badOption(where, `no key: set it to at least ${MIN_KEY_BYTES} random bytes in base64 (e.g. openssl rand -base64 32); lockstep never writes an archive with plain hashes`);
  }
  const text = base64.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw badOption(where, 'is not base64');
  const key = Buffer.from(text.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
  if (key.length < MIN_KEY_BYTES) throw badOption(where, `is ${key.length} bytes; give at least ${MIN_KEY_BYTES} (32 recommended)`);
  return key;
}

/** HMAC-SHA256 of the value under the key, base64 (44 characters, like the archive's hashed ids). */
export function keyedHash(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('base64');
}
