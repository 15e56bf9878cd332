/** One function per JS-read format: a parsed record in, model values and problems out. */
import { assertNever } from '../model/index.js';
import type { Action, Actor, InfraObservation, IpNetwork } from '../model/index.js';
import type { FormatName } from './formats.js';
import { mapGenericRecord, parseColumnMapping } from './generic-mapping.js';
import { readJetstreamEvent } from './jetstream.js';
import { readFollowerRecord } from './followers.js';
import { readLoginRecord, readNetworkRecord } from './logins.js';
import type { ParseResult } from './logins.js';
import { isObject } from './record-result.js';
import type { RecordResult } from './record-result.js';
import { readTwitterV2Value } from './twitter-v2.js';

export interface ReaderOutput {
  actors: Actor[];
  actions: Action[];
  infra: InfraObservation[];
  networks: IpNetwork[];
  problems: string[];
}

export interface ReaderSettings { map?: string; header?: readonly string[]; platform: string }

const NONE: ReaderOutput = { actors: [], actions: [], infra: [], networks: [], problems: [] };

function fromRecordResult(result: RecordResult): ReaderOutput {
  return { ...NONE, actors: result.actors, actions: result.actions, problems: result.problems };
}

function fromParse<T>(result: ParseResult<T>, place: (value: T) => Partial<ReaderOutput>): ReaderOutput {
  return result.ok ? { ...NONE, ...place(result.value) } : { ...NONE, problems: [result.reason] };
}

function asStringRecord(value: unknown): Record<string, string> {
  return isObject(value) ? (value as Record<string, string>) : {};
}

/** The reader for a format; throws (a bad --map) before any row is read. */
export function recordReader(format: FormatName, settings: ReaderSettings): (value: unknown) => ReaderOutput {
  switch (format) {
    case 'twitter-v2':
      return (value) => fromRecordResult(readTwitterV2Value(value));
    case 'jetstream':
      return (value) => fromRecordResult(readJetstreamEvent(value));
    case 'logins':
      return (value) => fromParse(readLoginRecord(asStringRecord(value), settings.platform), (infra) => ({ infra: [infra] }));
    case 'ip-networks':
      return (value) => fromParse(readNetworkRecord(asStringRecord(value)), (network) => ({ networks: [network] }));
    case 'followers':
      return (value) => fromParse(readFollowerRecord(asStringRecord(value), settings.platform), (action) => ({ actions: [action] }));
    case 'generic-csv':
    case 'generic-jsonl': {
      const mapping = parseColumnMapping(settings.map ?? '', settings.header);
      return (value) => fromRecordResult(isObject(value)
        ? mapGenericRecord(value, mapping, { platform: settings.platform })
        : { actors: [], actions: [], problems: ['expected an object with the mapped fields'] });
    }
    case 'twitter-io-tweets':
    case 'twitter-io-users':
    case 'coortweet':
    case 'coortweet-multi':
      throw new Error(`${format} is bulk-loaded by the store, not read record by record`);
    default:
      return assertNever(format);
  }
}
