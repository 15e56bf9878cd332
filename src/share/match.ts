/**
 * Matching a partner's indicators against local data: the accounts, pages and groups that shared
 * its URLs or linked its domains, came from its addresses or networks, posted its text
 * fingerprints, or carry its handles and ids. Each match keeps how it matched and how often; an
 * entity's strength combines its matches as independent evidence, 1 - prod(1 - w * c), with
 * w the weight of the kind of match (below) and c the partner's confidence.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { EntityKind } from '../cases/index.js';
import { parseCidr4 } from '../signals/index.js';
import { queryRows, toNumber } from '../store/duckdb/connection.js';
import { sqlUrlDomain } from '../store/duckdb/sql-expressions.js';
import { textFingerprint } from './fingerprint.js';
import type { MatchTerm, TermKind } from './partner-bundle.js';

/** How much one match of each kind says on its own (a heuristic, stated so it can be argued with). */
export const MATCH_WEIGHTS: Record<TermKind | 'handle-other-platform', number> = {
  'account-id': 0.95, handle: 0.8, 'handle-other-platform': 0.4, text: 0.6, url: 0.5, ip: 0.5, domain: 0.25, cidr: 0.2,
};

export interface MatchReason {
  kind: TermKind;
  value: string;
  /** The partner's indicator or observable. */
  source: string;
  label: string;
  /** Posts, logins or profile hits behind the match. */
  count: number;
  how: string;
  weight: number;
}

export interface MatchedEntity { platform: string; id: string; kind: EntityKind; handle: string | null; strength: number; reasons: MatchReason[] }

export interface MatchOptions {
  /** Entities below this strength are left out of the result. */
  minStrength?: number;
}

export const MATCH_DEFAULTS: Required<MatchOptions> = { minStrength: 0 };

interface Hit { platform: string; actorId: string; term: MatchTerm; count: number; how: string; weight: number }

async function stageTerms(connection: DuckDBConnection, terms: readonly MatchTerm[]): Promise<void> {
  await connection.run('CREATE OR REPLACE TEMP TABLE ls_match_terms (ix INTEGER, kind VARCHAR, value VARCHAR, lo BIGINT, hi BIGINT)');
  const appender = await connection.createAppender('ls_match_terms', 'main', 'temp');
  terms.forEach((term, ix) => {
    const range = term.kind === 'cidr' ? parseCidr4(term.value) : null;
    appender.appendInteger(ix);
    appender.appendVarchar(term.kind);
    appender.appendVarchar(term.kind === 'handle' || term.kind === 'domain' ? term.value.toLowerCase() : term.value);
    if (range === null) { appender.appendNull(); appender.appendNull(); } else { appender.appendBigInt(BigInt(range.start)); appender.appendBigInt(BigInt(range.end)); }
    appender.endRow();
  });
  appender.closeSync();
}

const IP_NUMBER = `(TRY_CAST(split_part(i.ip, '.', 1) AS BIGINT) * 16777216 + TRY_CAST(split_part(i.ip, '.', 2) AS BIGINT) * 65536
  + TRY_CAST(split_part(i.ip, '.', 3) AS BIGINT) * 256 + TRY_CAST(split_part(i.ip, '.', 4) AS BIGINT))`;

/** One query per kind of term; each row: the term, the actor, how many rows matched. */
const QUERIES: Record<Exclude<TermKind, 'text'>, string> = {
  url: `SELECT t.ix, a.platform, a.actor_id, count(*) AS n FROM (SELECT platform, actor_id, unnest(urls) AS u FROM actions) a
        JOIN ls_match_terms t ON t.kind = 'url' AND t.value = a.u GROUP BY ALL`,
  domain: `SELECT t.ix, a.platform, a.actor_id, count(*) AS n FROM (SELECT platform, actor_id, ${sqlUrlDomain('u')} AS d FROM (SELECT platform, actor_id, unnest(urls) AS u FROM actions)) a
        JOIN ls_match_terms t ON t.kind = 'domain' AND (a.d = t.value OR suffix(a.d, '.' || t.value)) GROUP BY ALL`,
  ip: `SELECT t.ix, i.platform, i.actor_id, count(*) AS n FROM infra i JOIN ls_match_terms t ON t.kind = 'ip' AND lower(i.ip) = t.value GROUP BY ALL`,
  cidr: `SELECT t.ix, i.platform, i.actor_id, count(*) AS n FROM (SELECT i.platform, i.actor_id, ${IP_NUMBER} AS ipn FROM infra i WHERE i.ip NOT LIKE '%:%') i
        JOIN ls_match_terms t ON t.kind = 'cidr' AND i.ipn BETWEEN t.lo AND t.hi GROUP BY ALL`,
  handle: `SELECT t.ix, a.platform, a.id AS actor_id, 1 AS n FROM actors a JOIN ls_match_terms t ON t.kind = 'handle' AND lower(a.handle) = t.value`,
  'account-id': `SELECT t.ix, a.platform, a.id AS actor_id, 1 AS n FROM actors a JOIN ls_match_terms t ON t.kind = 'account-id' AND a.id = t.value`,
};

function describe(term: MatchTerm, count: number): string {
  switch (term.kind) {
    case 'url': return `shared the URL ${term.value} in ${count} post${count === 1 ? '' : 's'}`;
    case 'domain': return `linked the domain ${term.value} in ${count} post${count === 1 ? '' : 's'}`;
    case 'ip': return `seen ${count} time${count === 1 ? '' : 's'} from the address ${term.value}`;
    case 'cidr': return `seen ${count} time${count === 1 ? '' : 's'} from the network ${term.value}`;
    case 'text': return `posted the fingerprinted text ${count} time${count === 1 ? '' : 's'}`;
    case 'handle': return `carries the handle ${term.value}`;
    case 'account-id': return `has the account id ${term.value}`;
  }
}

async function textHits(connection: DuckDBConnection, terms: readonly MatchTerm[]): Promise<Hit[]> {
  const wanted = new Map<string, MatchTerm[]>();
  for (const term of terms) if (term.kind === 'text') wanted.set(term.value, [...(wanted.get(term.value) ?? []), term]);
  if (wanted.size === 0) return [];
  const counts = new Map<string, { platform: string; actorId: string; print: string; count: number }>();
  const result = await connection.stream(`SELECT platform, actor_id, text FROM actions WHERE text IS NOT NULL AND kind IN ('post', 'reply', 'quote')`);
  for await (const rows of result.yieldRows()) {
    for (const [platform, actorId, text] of rows) {
      const print = textFingerprint(String(text));
      if (!wanted.has(print)) continue;
      const key = `${String(platform)}\u0000${String(actorId)}\u0000${print}`;
      const entry = counts.get(key) ?? { platform: String(platform), actorId: String(actorId), print, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
  }
  return [...counts.values()].flatMap((entry) => (wanted.get(entry.print) ?? []).map((term) => ({
    platform: entry.platform, actorId: entry.actorId, term, count: entry.count, how: describe(term, entry.count), weight: MATCH_WEIGHTS.text,
  })));
}

/**
 * Matches the terms against the store and returns the matched entities, strongest first, each
 * with its reasons. Handles and account ids on another platform than the partner named count
 * less (a handle) or not at all (an id: ids are per platform).
 * @example const matched = await matchTerms(store.connection, bundleTerms(json).terms);
 */
export async function matchTerms(connection: DuckDBConnection, terms: readonly MatchTerm[], options: MatchOptions = {}): Promise<MatchedEntity[]> {
  const settings = { ...MATCH_DEFAULTS, ...options };
  if (terms.length === 0) return [];
  await stageTerms(connection, terms);
  const hits: Hit[] = [];
  for (const [kind, sql] of Object.entries(QUERIES) as [Exclude<TermKind, 'text'>, string][]) {
    if (!terms.some((term) => term.kind === kind)) continue;
    for (const row of await queryRows(connection, sql)) {
      const term = terms[toNumber(row['ix'])];
      if (term === undefined) continue;
      const platform = String(row['platform']);
      const samePlatform = term.platform === null || term.platform === platform;
      if (kind === 'account-id' && !samePlatform) continue;
      const count = toNumber(row['n']);
      const weight = kind === 'handle' && !samePlatform ? MATCH_WEIGHTS['handle-other-platform'] : MATCH_WEIGHTS[kind];
      hits.push({ platform, actorId: String(row['actor_id']), term, count, how: `${describe(term, count)}${kind === 'handle' && !samePlatform ? ` (partner's platform ${term.platform ?? '?'}, here ${platform})` : ''}`, weight });
    }
  }
  hits.push(...await textHits(connection, terms));
  return collect(connection, hits, settings.minStrength);
}

async function collect(connection: DuckDBConnection, hits: readonly Hit[], minStrength: number): Promise<MatchedEntity[]> {
  const byEntity = new Map<string, { platform: string; id: string; reasons: MatchReason[] }>();
  for (const hit of hits) {
    const key = `${hit.platform}\u0000${hit.actorId}`;
    const entry = byEntity.get(key) ?? { platform: hit.platform, id: hit.actorId, reasons: [] };
    entry.reasons.push({ kind: hit.term.kind, value: hit.term.value, source: hit.term.source, label: hit.term.label, count: hit.count, how: hit.how, weight: hit.weight * hit.term.confidence });
    byEntity.set(key, entry);
  }
  if (byEntity.size === 0) return [];
  await connection.run('CREATE OR REPLACE TEMP TABLE ls_match_actors (platform VARCHAR, id VARCHAR)');
  const appender = await connection.createAppender('ls_match_actors', 'main', 'temp');
  for (const entry of byEntity.values()) { appender.appendVarchar(entry.platform); appender.appendVarchar(entry.id); appender.endRow(); }
  appender.closeSync();
  const profiles = await queryRows(connection, 'SELECT a.platform, a.id, a.kind, a.handle FROM actors a JOIN ls_match_actors m ON m.platform = a.platform AND m.id = a.id');
  const profileOf = new Map(profiles.map((row) => [`${String(row['platform'])}\u0000${String(row['id'])}`, row]));
  const matched: MatchedEntity[] = [];
  for (const [key, entry] of byEntity) {
    const profile = profileOf.get(key);
    // One reason per (source, kind, value): a term listed twice by the partner is one piece of evidence.
    const reasons = [...new Map(entry.reasons.map((reason) => [`${reason.source}\u0000${reason.kind}\u0000${reason.value}`, reason])).values()]
      .sort((a, b) => b.weight - a.weight || (a.how < b.how ? -1 : 1));
    const strength = 1 - reasons.reduce((rest, reason) => rest * (1 - Math.min(1, reason.weight)), 1);
    if (strength < minStrength) continue;
    const kind = String(profile?.['kind'] ?? 'account');
    matched.push({
      platform: entry.platform, id: entry.id, kind: kind === 'page' || kind === 'group' ? kind : 'account',
      handle: profile?.['handle'] === null || profile?.['handle'] === undefined ? null : String(profile['handle']), strength, reasons,
    });
  }
  return matched.sort((a, b) => b.strength - a.strength || (a.id < b.id ? -1 : 1));
}
