/**
 * A partner's STIX 2.1 bundle read as match terms: what to look for in local data (a URL, a
 * domain, an address, a network, a text fingerprint, a handle, an account id), with the
 * indicator or observable it came from and the partner's confidence. STIX patterns are read for
 * the comparison subset platforms share (`=` and `ISSUBSET` on url, domain-name, ipv4-addr,
 * ipv6-addr, artifact SHA-256 hashes and user-account); anything else is listed as not understood,
 * never dropped silently.
 */
import { z } from 'zod';
import { LockstepError, normalizeUrl } from '../model/index.js';
import { parseCidr4 } from '../signals/index.js';

export type TermKind = 'url' | 'domain' | 'ip' | 'cidr' | 'text' | 'handle' | 'account-id';
export const TERM_KINDS: readonly TermKind[] = ['url', 'domain', 'ip', 'cidr', 'text', 'handle', 'account-id'];

export interface MatchTerm {
  kind: TermKind;
  value: string;
  /** The STIX id of the indicator or observable. */
  source: string;
  /** The source's name or pattern, for the analyst. */
  label: string;
  /** 0..1: the partner's confidence (indicator `confidence`/100, else 0.8). */
  confidence: number;
  /** For handles and account ids: the platform (account_type without -page/-group), when the partner said. */
  platform: string | null;
}

export interface NotUnderstood { source: string; text: string; reason: string }
export interface PartnerTerms { bundleId: string; producer: string | null; terms: MatchTerm[]; notUnderstood: NotUnderstood[]; objects: number }

const objectSchema = z.object({ type: z.string(), id: z.string() }).passthrough();
const bundleSchema = z.object({ type: z.literal('bundle'), id: z.string(), objects: z.array(objectSchema).default([]) });

const COMPARISON = /([a-z0-9-]+):((?:[A-Za-z0-9_]+|'[^']*'|\[[^\]]*\])(?:\.(?:[A-Za-z0-9_]+|'[^']*'|\[[^\]]*\]))*)\s*(NOT\s+)?(=|!=|ISSUBSET|ISSUPERSET|LIKE|MATCHES|IN|<=|>=|<|>)\s*('(?:[^'\\]|\\.)*'|\([^)]*\)|[^\s\]]+)/g;
const DEFAULT_CONFIDENCE = 0.8;

function unquote(literal: string): string | null {
  if (!literal.startsWith("'") || !literal.endsWith("'")) return null;
  return literal.slice(1, -1).replace(/\\(.)/g, '$1');
}

/**
 * The terms of one STIX pattern. Each understood comparison becomes one term (an indicator that
 * ANDs a URL and a domain gives both: either is evidence); the rest go to `notUnderstood`.
 * @example patternTerms("[url:value = 'https://a.example/x']").terms[0] // { kind: 'url', value: 'https://a.example/x' }
 */
export function patternTerms(pattern: string): { terms: { kind: TermKind; value: string }[]; problems: string[] } {
  const terms: { kind: TermKind; value: string }[] = [];
  const problems: string[] = [];
  for (const match of pattern.matchAll(COMPARISON)) {
    const [text, type, path, negated, operator, literal] = match as unknown as [string, string, string, string | undefined, string, string];
    const value = unquote(literal);
    if (negated !== undefined || value === null) {
      problems.push(`${text}: only positive comparisons with a string are matched`);
      continue;
    }
    const term = comparisonTerm(type, path, operator, value);
    if (typeof term === 'string') problems.push(`${text}: ${term}`);
    else if (term !== null) terms.push(term);
  }
  if (terms.length === 0 && problems.length === 0) problems.push('no comparison found in the pattern');
  return { terms, problems };
}

function comparisonTerm(type: string, path: string, operator: string, value: string): { kind: TermKind; value: string } | string | null {
  const equals = operator === '=';
  switch (`${type}:${path}`) {
    case 'url:value': {
      const url = normalizeUrl(value);
      return equals && url !== null ? { kind: 'url', value: url } : 'URLs are matched by equality';
    }
    case 'domain-name:value':
      return equals ? { kind: 'domain', value: value.toLowerCase().replace(/^www\./, '').replace(/\.$/, '') } : 'domains are matched by equality';
    case 'ipv4-addr:value':
    case 'ipv6-addr:value':
      if (value.includes('/')) {
        if (type === 'ipv6-addr') return 'IPv6 networks are not matched (IPv6 addresses are, exactly)';
        return (operator === 'ISSUBSET' || equals) && parseCidr4(value) !== null ? { kind: 'cidr', value } : `"${value}" is not an IPv4 CIDR`;
      }
      return equals ? { kind: 'ip', value: value.toLowerCase() } : 'addresses are matched by equality';
    case "artifact:hashes.'SHA-256'":
    case 'artifact:hashes.SHA256':
      return equals && /^[0-9a-fA-F]{64}$/.test(value) ? { kind: 'text', value: value.toLowerCase() } : 'text fingerprints are SHA-256 hex, matched by equality';
    case 'artifact:mime_type':
      return null;
    case 'user-account:account_login':
      return equals ? { kind: 'handle', value: value.replace(/^@/, '') } : 'handles are matched by equality';
    case 'user-account:user_id':
      return equals ? { kind: 'account-id', value } : 'account ids are matched by equality';
    case 'user-account:account_type':
      return null;
    default:
      return `${type}:${path} is not matched against local data`;
  }
}

function platformOf(accountType: unknown): string | null {
  return typeof accountType === 'string' && accountType !== '' ? accountType.replace(/-(page|group)$/, '') : null;
}

/**
 * Reads a partner's bundle (already parsed JSON) into match terms. Throws on something that is
 * not a STIX bundle; a bundle with nothing usable gives no terms and says why in `notUnderstood`.
 */
export function bundleTerms(value: unknown, where = 'bundle'): PartnerTerms {
  const parsed = bundleSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LockstepError('case/bad-request', `${where}: not a STIX 2.1 bundle (${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'})`);
  }
  const terms: MatchTerm[] = [];
  const notUnderstood: NotUnderstood[] = [];
  let producer: string | null = null;
  for (const object of parsed.data.objects) {
    const record = object as Record<string, unknown>;
    if (object.type === 'identity' && typeof record['name'] === 'string') producer ??= record['name'];
    if (object.type === 'indicator') {
      const pattern = record['pattern'];
      if (typeof pattern !== 'string' || (record['pattern_type'] !== undefined && record['pattern_type'] !== 'stix')) {
        notUnderstood.push({ source: object.id, text: String(pattern ?? ''), reason: `pattern_type ${String(record['pattern_type'])} is not matched (only stix patterns)` });
        continue;
      }
      const confidence = typeof record['confidence'] === 'number' ? Math.max(0, Math.min(100, record['confidence'])) / 100 : DEFAULT_CONFIDENCE;
      const { terms: found, problems } = patternTerms(pattern);
      for (const term of found) terms.push({ ...term, source: object.id, label: typeof record['name'] === 'string' ? record['name'] : pattern, confidence, platform: null });
      for (const reason of problems) notUnderstood.push({ source: object.id, text: pattern, reason });
    }
    if (object.type === 'user-account') {
      const platform = platformOf(record['account_type']);
      const label = `${String(record['account_type'] ?? 'account')} ${String(record['account_login'] ?? record['user_id'] ?? '')}`.trim();
      if (typeof record['account_login'] === 'string' && record['account_login'] !== '') {
        terms.push({ kind: 'handle', value: record['account_login'].replace(/^@/, ''), source: object.id, label, confidence: DEFAULT_CONFIDENCE, platform });
      }
      if (typeof record['user_id'] === 'string' && record['user_id'] !== '') {
        terms.push({ kind: 'account-id', value: record['user_id'], source: object.id, label, confidence: DEFAULT_CONFIDENCE, platform });
      }
    }
  }
  return { bundleId: parsed.data.id, producer, terms, notUnderstood, objects: parsed.data.objects.length };
}
