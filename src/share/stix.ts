/**
 * A case as a STIX 2.1 bundle (OASIS STIX 2.1, 2021): the operation as an intrusion-set (or a
 * campaign), a threat-actor only when an analyst recorded an attribution, the entities as
 * user-account observables, indicators with STIX patterns for the URLs, domains, addresses,
 * networks and text fingerprints, infrastructure for the account network and the exits it used,
 * DISARM techniques as attack-patterns by external id, relationships, and one TLP marking.
 * Every id is a UUIDv5 of the object's content and every timestamp comes from the case, so
 * exporting the same case twice gives the same bundle byte for byte.
 */
import { ANONYMISING_KINDS } from '../signals/index.js';
import type { CaseExport, ExportEntity, InfraIndicator, SharedObject } from './case-export.js';
import { disarmTechniques, disarmUrl } from './disarm.js';
import { canonicalJson, uuidV5 } from './fingerprint.js';

export type Tlp = 'white' | 'green' | 'amber' | 'red';
export const TLPS: readonly Tlp[] = ['white', 'green', 'amber', 'red'];

/** The TLP 1.0 marking definitions of STIX 2.1 section 7.2.1.4 (fixed ids). */
export const TLP_MARKING_IDS: Record<Tlp, string> = {
  white: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  amber: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  red: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
};

/** STIX 2.1 section 2.9: the namespace of deterministic cyber-observable ids. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';
/** lockstep's own namespace for the ids of domain and relationship objects. */
export const LOCKSTEP_NAMESPACE = 'c6d0a5a2-3b1f-5e4e-9a57-6c6f636b7374';

export type StixObject = Record<string, unknown> & { type: string; id: string };
export interface StixBundle { type: 'bundle'; id: string; objects: StixObject[] }

export interface StixExportOptions {
  /** The organisation that shares (becomes the identity in created_by_ref). */
  producer?: string;
  tlp?: Tlp;
  /** intrusion-set (default: the operation as a set of activity) or campaign. */
  container?: 'intrusion-set' | 'campaign';
}

export const STIX_DEFAULTS: Required<StixExportOptions> = { producer: 'lockstep', tlp: 'amber', container: 'intrusion-set' };

const iso = (time: number): string => new Date(time).toISOString();

/** A STIX pattern string literal: quotes and backslashes escaped (STIX 2.1 section 9.2). */
export function stixString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** user-account's account_type: the platform for accounts, `PLATFORM-page` / `PLATFORM-group` for pages and groups. */
export function accountType(entity: Pick<ExportEntity, 'kind' | 'platform'>): string {
  return entity.kind === 'account' ? entity.platform : `${entity.platform}-${entity.kind}`;
}

/** The deterministic id of a user-account observable (STIX 2.1 section 2.9, contributing properties account_type, user_id, account_login). */
export function userAccountId(entity: Pick<ExportEntity, 'kind' | 'platform' | 'id' | 'handle'>): string {
  const name = canonicalJson({ account_type: accountType(entity), user_id: entity.id, account_login: entity.handle ?? undefined });
  return `user-account--${uuidV5(STIX_SCO_NAMESPACE, name)}`;
}

function indicatorPattern(kind: 'url' | 'domain' | 'ip' | 'text', value: string): string {
  switch (kind) {
    case 'url': return `[url:value = ${stixString(value)}]`;
    case 'domain': return `[domain-name:value = ${stixString(value)}]`;
    case 'text': return `[artifact:mime_type = 'text/plain' AND artifact:hashes.'SHA-256' = ${stixString(value)}]`;
    case 'ip': {
      const type = value.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
      return value.includes('/') ? `[${type}:value ISSUBSET ${stixString(value)}]` : `[${type}:value = ${stixString(value)}]`;
    }
  }
}

/** Confidence of an indicator from how many of the case's entities carried it (heuristic, 0..100). */
function indicatorConfidence(entities: number): number {
  return Math.min(95, 35 + 10 * entities);
}

/**
 * The STIX 2.1 bundle of a case. Validate it with `validateStixBundle` before sending it.
 * @example const bundle = caseToStix(await loadCaseExport(store, caseId), { tlp: 'amber', producer: 'Example Platform' });
 */
export function caseToStix(input: CaseExport, options: StixExportOptions = {}): StixBundle {
  const settings = { ...STIX_DEFAULTS, ...options };
  const stamp = iso(input.case.createdAt);
  const marking = TLP_MARKING_IDS[settings.tlp];
  const sdoId = (type: string, key: string): string => `${type}--${uuidV5(LOCKSTEP_NAMESPACE, `${type}\u0000${settings.producer}\u0000${key}`)}`;
  const identityId = `identity--${uuidV5(LOCKSTEP_NAMESPACE, `identity\u0000${settings.producer}`)}`;
  const common = { spec_version: '2.1', created_by_ref: identityId, created: stamp, modified: stamp, object_marking_refs: [marking] };
  const objects: StixObject[] = [
    { type: 'marking-definition', spec_version: '2.1', id: marking, created: '2017-01-20T00:00:00.000Z', definition_type: 'tlp', name: `TLP:${settings.tlp.toUpperCase()}`, definition: { tlp: settings.tlp } },
    { type: 'identity', id: identityId, spec_version: '2.1', created: stamp, modified: stamp, name: settings.producer, identity_class: 'organization' },
  ];
  const relate = (type: string, source: string, target: string, extra: Record<string, unknown> = {}): void => {
    objects.push({ type: 'relationship', id: sdoId('relationship', `${type}\u0000${source}\u0000${target}`), ...common, relationship_type: type, source_ref: source, target_ref: target, ...extra });
  };

  const seen = {
    ...(input.firstSeen === null ? {} : { first_seen: iso(input.firstSeen) }),
    ...(input.lastSeen === null ? {} : { last_seen: iso(Math.max(input.lastSeen, input.firstSeen ?? input.lastSeen)) }),
  };
  const counts = countKinds(input.entities);
  const operationId = sdoId(settings.container, input.case.id);
  objects.push({
    type: settings.container, id: operationId, ...common, name: input.case.title,
    description: `Coordinated inauthentic behaviour found by lockstep (case ${input.case.id}, cluster ${input.case.clusterId}): ${counts}.`,
    ...seen,
  });

  if (input.attribution !== null) {
    const actorId = sdoId('threat-actor', input.attribution.actor);
    objects.push({
      type: 'threat-actor', id: actorId, ...common, name: input.attribution.actor, description: input.attribution.statement,
      ...(input.attribution.actorTypes === undefined || input.attribution.actorTypes.length === 0 ? {} : { threat_actor_types: [...input.attribution.actorTypes] }),
    });
    relate('attributed-to', operationId, actorId, { confidence: clampConfidence(input.attribution.confidence), description: input.attribution.statement });
  }

  const automated = input.traces.includes('fast-repost') || input.traces.includes('co-repost');
  const networkId = sdoId('infrastructure', `accounts\u0000${input.case.id}`);
  objects.push({
    type: 'infrastructure', id: networkId, ...common, name: `${input.case.title}: account network`,
    description: `The ${counts} the operation used to amplify its messages.`, infrastructure_types: [automated ? 'botnet' : 'amplification', 'amplification'].filter((item, index, all) => all.indexOf(item) === index),
    ...seen,
  });
  relate('uses', operationId, networkId);
  for (const entity of input.entities) {
    const id = userAccountId(entity);
    objects.push({
      type: 'user-account', spec_version: '2.1', id, user_id: entity.id, account_type: accountType(entity),
      ...(entity.handle === null ? {} : { account_login: entity.handle }),
      ...(entity.displayName === null ? {} : { display_name: entity.displayName }),
      ...(entity.createdAt === null ? {} : { account_created: iso(entity.createdAt) }),
    });
    relate('consists-of', networkId, id);
  }

  const indicator = (kind: 'url' | 'domain' | 'ip' | 'text', item: SharedObject, name: string, description: string): string => {
    const id = sdoId('indicator', `${kind}\u0000${item.value}\u0000${input.case.id}`);
    objects.push({
      type: 'indicator', id, ...common, name, description, indicator_types: ['malicious-activity'],
      pattern: indicatorPattern(kind, item.value), pattern_type: 'stix', pattern_version: '2.1', valid_from: seen.first_seen ?? stamp,
      confidence: indicatorConfidence(item.entities),
    });
    relate('indicates', id, operationId);
    return id;
  };
  const of = (item: SharedObject): string => `${item.entities} of the case's ${input.entities.length} entities`;
  for (const item of input.urls) indicator('url', item, `URL ${item.value}`, `URL shared by ${of(item)}.`);
  for (const item of input.domains) indicator('domain', item, `Domain ${item.value}`, `Domain linked by ${of(item)}.`);
  for (const item of input.texts) {
    indicator('text', item, `Text fingerprint ${item.value.slice(0, 12)}`, `SHA-256 of a text (UTF-8, NFKC, white space folded to one space, trimmed) posted by ${of(item)}${item.sample === undefined ? '' : `: "${item.sample.slice(0, 140)}"`}.`);
  }
  for (const item of input.infrastructure) addInfrastructure(item);

  function addInfrastructure(item: InfraIndicator): void {
    const anonymous = ANONYMISING_KINDS.has(item.networkKind);
    const where = [item.asn === null ? null : `AS${item.asn}`, item.country].filter((part) => part !== null).join(', ');
    const infraId = sdoId('infrastructure', `ip\u0000${item.value}\u0000${input.case.id}`);
    objects.push({
      type: 'infrastructure', id: infraId, ...common, name: `${anonymous ? `${item.networkKind.toUpperCase()} exit` : 'Fixed address'} ${item.value}`,
      description: `${anonymous ? `${item.networkKind} exit` : 'Fixed address'}${where === '' ? '' : ` (${where})`} used by ${item.entities} of the case's entities.`,
      infrastructure_types: [anonymous ? 'anonymization' : 'unknown'],
    });
    relate('uses', operationId, infraId);
    const indicatorId = indicator('ip', { value: item.value, entities: item.entities }, `${anonymous ? 'Exit' : 'Address'} ${item.value}`, `Address or network used by ${item.entities} of the case's ${input.entities.length} entities.`);
    relate('indicates', indicatorId, infraId);
  }

  for (const technique of disarmTechniques(input)) {
    const id = `attack-pattern--${uuidV5(LOCKSTEP_NAMESPACE, `attack-pattern\u0000DISARM\u0000${technique.id}`)}`;
    objects.push({
      type: 'attack-pattern', id, ...common, name: technique.name,
      external_references: [{ source_name: 'DISARM', external_id: technique.id, url: disarmUrl(technique.id) }],
      kill_chain_phases: [{ kill_chain_name: 'disarm', phase_name: technique.tactic }],
    });
    relate('uses', operationId, id, { description: technique.why });
  }

  const unique = dedupe(objects);
  return { type: 'bundle', id: `bundle--${uuidV5(LOCKSTEP_NAMESPACE, unique.map((object) => object.id).join('\n'))}`, objects: unique };
}

function clampConfidence(value: number): number {
  return Math.max(0, Math.min(100, Math.round(value)));
}

function countKinds(entities: readonly ExportEntity[]): string {
  const count = (kind: string): number => entities.filter((entity) => entity.kind === kind).length;
  const parts = [['account', count('account')], ['page', count('page')], ['group', count('group')]] as const;
  return parts.filter(([, n]) => n > 0).map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(', ') || 'no entities';
}

/** The same id twice (an entity listed twice, a URL equal to another) keeps the first. */
function dedupe(objects: readonly StixObject[]): StixObject[] {
  const seen = new Set<string>();
  return objects.filter((object) => (seen.has(object.id) ? false : (seen.add(object.id), true)));
}
