/** Readers for the infrastructure inputs: sign-up/login logs and the IP-network table. */
import { INFRA_EVENTS, NETWORK_KINDS } from '../model/index.js';
import type { InfraEvent, InfraObservation, IpNetwork, NetworkKind } from '../model/index.js';
import { parseMappedTime } from './generic-mapping.js';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^(?=.*:)[0-9a-fA-F:.]{2,45}$/;

export function isIpAddress(value: string): boolean {
  return IPV4.test(value) || (IPV6.test(value) && value.split('::').length <= 2);
}

function field(record: Readonly<Record<string, string | undefined>>, name: string): string {
  return (record[name] ?? '').trim();
}

/** One row of `account_id,time,ip,user_agent,event` (event defaults to login). */
export function readLoginRecord(record: Readonly<Record<string, string | undefined>>, platform = 'unknown'): ParseResult<InfraObservation> {
  const actorId = field(record, 'account_id');
  if (actorId === '') return { ok: false, reason: 'account_id is empty' };
  const time = parseMappedTime(field(record, 'time'));
  if (time === null) return { ok: false, reason: `time "${field(record, 'time')}" is not a time (ISO 8601 or unix seconds/ms)` };
  const ip = field(record, 'ip');
  if (!isIpAddress(ip)) return { ok: false, reason: `ip "${ip}" is not an IPv4 or IPv6 address` };
  const eventText = field(record, 'event').toLowerCase() || 'login';
  if (!(INFRA_EVENTS as readonly string[]).includes(eventText)) {
    return { ok: false, reason: `event "${eventText}" is not one of ${INFRA_EVENTS.join(', ')}` };
  }
  const userAgent = field(record, 'user_agent');
  return {
    ok: true,
    value: { platform: field(record, 'platform') || platform, actorId, time, ip, userAgent: userAgent === '' ? null : userAgent, event: eventText as InfraEvent },
  };
}

const CIDR = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/;

/** One row of `network,asn,org,country,kind`: an IPv4 or IPv6 CIDR and what kind of exit it is. */
export function readNetworkRecord(record: Readonly<Record<string, string | undefined>>): ParseResult<IpNetwork> {
  const cidr = field(record, 'network');
  const match = CIDR.exec(cidr);
  const address = match?.[1] ?? '';
  const prefix = Number(match?.[2]);
  if (match === null || !isIpAddress(address) || prefix > (address.includes(':') ? 128 : 32)) {
    return { ok: false, reason: `network "${cidr}" is not a CIDR like 203.0.113.0/24` };
  }
  const asnText = field(record, 'asn').replace(/^AS/i, '');
  const asn = asnText === '' ? null : Number(asnText);
  if (asn !== null && (!Number.isInteger(asn) || asn < 0)) return { ok: false, reason: `asn "${field(record, 'asn')}" is not a number` };
  const kindText = field(record, 'kind').toLowerCase() || 'unknown';
  if (!(NETWORK_KINDS as readonly string[]).includes(kindText)) {
    return { ok: false, reason: `kind "${kindText}" is not one of ${NETWORK_KINDS.join(', ')}` };
  }
  const org = field(record, 'org');
  const country = field(record, 'country').toUpperCase();
  return { ok: true, value: { cidr: cidr.toLowerCase(), asn, org: org === '' ? null : org, country: country === '' ? null : country, kind: kindText as NetworkKind } };
}
