/**
 * A case's indicators in the shape of Meta's ThreatExchange threat indicators: one row per
 * indicator with `indicator, type, share_level, status, tags, description` (types URI, DOMAIN,
 * IP_ADDRESS, IP_SUBNET, HASH_SHA256; share levels WHITE/GREEN/AMBER/RED). ThreatExchange has no
 * indicator type for a platform account, so accounts travel in the STIX bundle only.
 */
import type { CaseExport } from './case-export.js';
import { disarmTechniques } from './disarm.js';
import type { Tlp } from './stix.js';

export type ThreatExchangeType = 'URI' | 'DOMAIN' | 'IP_ADDRESS' | 'IP_SUBNET' | 'HASH_SHA256';
export interface ThreatExchangeRow {
  indicator: string;
  type: ThreatExchangeType;
  share_level: 'WHITE' | 'GREEN' | 'AMBER' | 'RED';
  status: 'MALICIOUS' | 'SUSPICIOUS';
  tags: string[];
  description: string;
}

export const THREATEXCHANGE_COLUMNS = ['indicator', 'type', 'share_level', 'status', 'tags', 'description'] as const;

export interface ThreatExchangeOptions {
  tlp?: Tlp;
  /** Indicators carried by fewer entities than this are SUSPICIOUS, not MALICIOUS. */
  maliciousAt?: number;
}

export const THREATEXCHANGE_DEFAULTS: Required<ThreatExchangeOptions> = { tlp: 'amber', maliciousAt: 3 };

/**
 * The ThreatExchange-shaped rows of a case, in a stable order (type, then indicator).
 * @example caseToThreatExchange(input).map((row) => row.type) // ['URI', 'DOMAIN', ...]
 */
export function caseToThreatExchange(input: CaseExport, options: ThreatExchangeOptions = {}): ThreatExchangeRow[] {
  const settings = { ...THREATEXCHANGE_DEFAULTS, ...options };
  const share_level = settings.tlp.toUpperCase() as ThreatExchangeRow['share_level'];
  const tags = ['lockstep', 'coordinated-inauthentic-behaviour', `case:${input.case.id}`, ...disarmTechniques(input).map((technique) => `disarm:${technique.id}`)];
  const status = (entities: number): ThreatExchangeRow['status'] => (entities >= settings.maliciousAt ? 'MALICIOUS' : 'SUSPICIOUS');
  const of = (entities: number): string => `${entities} of ${input.entities.length} entities of case ${input.case.id}`;
  const rows: ThreatExchangeRow[] = [
    ...input.urls.map((item) => ({ indicator: item.value, type: 'URI' as const, share_level, status: status(item.entities), tags, description: `URL shared by ${of(item.entities)}` })),
    ...input.domains.map((item) => ({ indicator: item.value, type: 'DOMAIN' as const, share_level, status: status(item.entities), tags, description: `domain linked by ${of(item.entities)}` })),
    ...input.infrastructure.map((item) => ({
      indicator: item.value, type: item.value.includes('/') ? 'IP_SUBNET' as const : 'IP_ADDRESS' as const, share_level, status: status(item.entities),
      tags: [...tags, `network:${item.networkKind}`], description: `${item.networkKind} address used by ${of(item.entities)}`,
    })),
    ...input.texts.map((item) => ({
      indicator: item.value, type: 'HASH_SHA256' as const, share_level, status: status(item.entities), tags: [...tags, 'text-fingerprint'],
      description: `SHA-256 of a text (NFKC, white space folded, trimmed) posted by ${of(item.entities)}`,
    })),
  ];
  return rows;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The rows as CSV (header first; tags joined with `;`). */
export function threatExchangeCsv(rows: readonly ThreatExchangeRow[]): string {
  const lines = [THREATEXCHANGE_COLUMNS.join(',')];
  for (const row of rows) lines.push([row.indicator, row.type, row.share_level, row.status, row.tags.join(';'), row.description].map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}
