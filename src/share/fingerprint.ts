/** Identifiers that must come out the same on every run and on every partner's side. */
import { createHash } from 'node:crypto';
import { normalizeText } from '../model/index.js';

/**
 * The fingerprint of a text a partner can compute without lockstep: SHA-256 (hex) of the text
 * NFKC-normalised, white space runs folded to one space, trimmed (model normalizeText). Exact
 * match after normalisation only; near-duplicates are a detection matter, not an indicator.
 * @example textFingerprint('Hello   world ') === textFingerprint('Hello world') // true
 */
export function textFingerprint(text: string): string {
  return createHash('sha256').update(normalizeText(text), 'utf8').digest('hex');
}

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

/**
 * RFC 4122 name-based UUID, version 5 (SHA-1).
 * @example uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com') // '2ed6657d-e927-568b-95e1-2665a8aea6a2'
 */
export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * JSON with object keys sorted at every level (RFC 8785 ordering for the ASCII keys STIX uses):
 * the input of STIX 2.1 deterministic ids (section 2.9).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
