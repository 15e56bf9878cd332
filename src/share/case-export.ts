/**
 * What sharing and disclosure need to know about one case, independent of where it is kept:
 * the case, its entities with their profiles, the decisions in force, an analyst's attribution
 * (when one was recorded) and the indicators the loader found in the entities' activity.
 * `loadCaseExport` (load-case.ts) fills it from the store; tests build it by hand.
 */
import type { Decision, EntityKind } from '../cases/index.js';
import type { NetworkKind } from '../model/index.js';

export interface ExportEntity {
  kind: EntityKind;
  platform: string;
  id: string;
  handle: string | null;
  displayName: string | null;
  /** ms since the epoch, UTC. */
  createdAt: number | null;
  followers: number | null;
}

/** An attribution an analyst recorded: who is behind the operation, and how sure. */
export interface Attribution {
  /** The actor named, e.g. "a state-backed operation". */
  actor: string;
  statement: string;
  /** 0..100 (STIX confidence scale). */
  confidence: number;
  /** Open vocabulary threat-actor-type-ov, e.g. nation-state. */
  actorTypes?: readonly string[];
}

/** An address or network the entities came from. */
export interface InfraIndicator {
  /** An IPv4/IPv6 address, or a CIDR. */
  value: string;
  networkKind: NetworkKind;
  asn: number | null;
  country: string | null;
  /** How many of the case's entities were seen on it. */
  entities: number;
}

/** A shared object (URL, domain or text fingerprint) and how many entities shared it. */
export interface SharedObject { value: string; entities: number; sample?: string }

export interface CaseExport {
  case: { id: string; title: string; clusterId: string; createdAt: number; status: string };
  entities: ExportEntity[];
  decisions: Decision[];
  attribution: Attribution | null;
  urls: SharedObject[];
  domains: SharedObject[];
  /** sha256 hex of the normalised text (textFingerprint), with a sample text. */
  texts: SharedObject[];
  infrastructure: InfraIndicator[];
  /** Traces that linked the cluster (co-repost, co-link, ...), from detection. */
  traces: string[];
  /** Account signals found (e.g. creation-burst, dormant-repurposed); from attribution signals when present. */
  signals: string[];
  firstSeen: number | null;
  lastSeen: number | null;
}
