/**
 * The Jetstream scanner's top fields read in JavaScript, as jetstream-scan.ts read them before
 * the WebAssembly module did (wasm/json-check.ts readTop): kept only as the tests' reference.
 * Pass 1 is the JavaScript check (json-check-js.ts).
 */
import { ESCAPED, JsonFields, checkJsonObject } from './json-check-js.js';
import { hashBytes } from '../byte-ids.js';
import { COLLECTIONS, FIELD_NAMES } from '../jetstream-scan.js';
import { ID_HASH_START, idHashes } from '../partitioner.js';

/** What readTop gives: code 0 give up, 1 no action, 2 an action whose record is read next. */
export interface TopFields {
  code: number;
  didStart: number; didEnd: number; timeUs: number; rkeyStart: number; rkeyEnd: number;
  collection: number; record: number; didHash: number; idHash1: number; idHash2: number;
}

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const [COMMIT, CREATE, UPDATE, DELETE] = ['commit', 'create', 'update', 'delete'].map(bytesOf) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
const COLLECTION_BYTES = COLLECTIONS.map(bytesOf);
const fields = new JsonFields(FIELD_NAMES);
const name = (key: string): number => FIELD_NAMES.indexOf(key);

/** The top fields of the line `bytes[start, stop)`, or null when pass 1 refuses it. */
export function topFieldsJs(bytes: Uint8Array, start: number, stop: number): TopFields | null {
  const ends = new Int32Array(stop - start + 1);
  if (!checkJsonObject(bytes, start, stop, ends, fields)) return null;
  const b = bytes;
  const give = { code: 0, didStart: 0, didEnd: 0, timeUs: 0, rkeyStart: 0, rkeyEnd: 0, collection: -1, record: -1, didHash: 0, idHash1: 0, idHash2: 0 };
  const end = (at: number): number => ends[at - start]!;
  /** The end of a plain string's content, or null for an escaped one (the scanner gives up). */
  const plainEnd = (at: number): number | null => (end(at) >= ESCAPED ? null : end(at) - 1);
  const isString = (at: number): boolean => at >= 0 && b[at] === 34;
  const is = (at: number, word: Uint8Array, stopAt: number): boolean => stopAt - at - 1 === word.length && word.every((c, k) => b[at + 1 + k] === c);
  let top = start;
  while (b[top] === 32 || b[top] === 9) top++;
  const did = fields.get(top, name('did')), timeUs = fields.get(top, name('time_us')), kind = fields.get(top, name('kind')), commit = fields.get(top, name('commit'));
  if (!isString(kind) || !isString(did) || commit < 0 || b[commit] !== 123 || timeUs < 0) return give;
  const kindEnd = plainEnd(kind), didEnd = plainEnd(did);
  if (kindEnd === null || didEnd === null || !is(kind, COMMIT, kindEnd) || !/^did:[a-z]+:[A-Za-z0-9._:%-]+$/.test(Buffer.from(b.subarray(did + 1, didEnd)).toString('latin1'))) return give;
  let time = 0, j = timeUs;
  for (let c = b[j]!; c >= 48 && c <= 57; c = b[++j]!) time = time * 10 + (c - 48);
  if (j === timeUs || b[timeUs] === 48 || j !== end(timeUs) || !Number.isSafeInteger(time)) return give;
  const read = { ...give, code: 1, didStart: did + 1, didEnd, timeUs: time };
  const operation = fields.get(commit, name('operation')), collection = fields.get(commit, name('collection'));
  const rkey = fields.get(commit, name('rkey')), record = fields.get(commit, name('record'));
  if (!isString(operation) || !isString(collection) || !isString(rkey) || b[collection + 1] === 34 || b[rkey + 1] === 34) return give;
  const operationEnd = plainEnd(operation), collectionEnd = plainEnd(collection), rkeyEnd = plainEnd(rkey);
  if (operationEnd === null || collectionEnd === null || rkeyEnd === null) return give;
  const create = is(operation, CREATE, operationEnd);
  if (!create && !is(operation, UPDATE, operationEnd) && !is(operation, DELETE, operationEnd)) return give;
  const kindOf = COLLECTION_BYTES.findIndex((word) => is(collection, word, collectionEnd));
  Object.assign(read, { rkeyStart: rkey + 1, rkeyEnd });
  if (!create || kindOf < 0) return read;
  for (let k = rkey + 1; k < rkeyEnd; k++) if (b[k]! >= 128) return give;
  if (record < 0 || b[record] !== 123) return give;
  const h = Int32Array.from(ID_HASH_START), id = bytesOf(`/${COLLECTIONS[kindOf]}/`);
  idHashes(id, 0, id.length, h);
  idHashes(b, rkey + 1, rkeyEnd, h);
  return { ...read, code: 2, collection: kindOf, record, didHash: hashBytes(b, did + 1, didEnd), idHash1: h[0]!, idHash2: h[1]! };
}
