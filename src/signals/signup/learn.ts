/**
 * Learning a network's infrastructure from the store: the members of detected clusters
 * (clusters.json) or of a confirmed list (any CSV with an account_id column), their handles and
 * logins, joined to the IP table.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { LockstepError } from '../../model/index.js';
import type { IpLookup } from '../ip-table.js';
import { learnInfra } from './known-infra.js';
import type { KnownInfra, LEARN_DEFAULTS } from './known-infra.js';
import { readActors, readLogins, readUserAgentBaseline } from './store-inputs.js';

export interface Member { accountId: string; source: string }

const clustersSchema = z.array(z.object({ id: z.union([z.number(), z.string()]), flagged: z.boolean().optional(), members: z.array(z.object({ account_id: z.string() })) }));

/** Members of the flagged clusters of a clusters.json (text), each tagged `cluster N`. */
export function membersFromClustersJson(text: string, file: string): Member[] {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch { throw new LockstepError('ingest/unreadable', `${file}: not JSON; expected the clusters.json lockstep detect writes`); }
  const parsed = clustersSchema.safeParse(raw);
  if (!parsed.success) throw new LockstepError('ingest/unreadable', `${file}: not a clusters.json (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''})`);
  return parsed.data.filter((cluster) => cluster.flagged !== false)
    .flatMap((cluster) => cluster.members.map((member) => ({ accountId: member.account_id, source: `cluster ${cluster.id}` })));
}

/** Members from a CSV with an account_id column (accounts.csv, a confirmed list), tagged with the file. */
export function membersFromAccountsCsv(text: string, file: string, source = file): Member[] {
  const rows = parse(text, { bom: true, columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  if (rows.length > 0 && !('account_id' in (rows[0] ?? {}))) throw new LockstepError('ingest/unreadable', `${file}:1: needs an account_id column`);
  return rows.filter((row) => (row['account_id'] ?? '') !== '').map((row) => ({ accountId: row['account_id'] as string, source: row['cluster_id'] !== undefined ? `cluster ${row['cluster_id']}` : source }));
}

/** Adds what the store holds about `members` to `known`. */
export async function learnFromStore(connection: DuckDBConnection, members: readonly Member[], known: KnownInfra, lookup: IpLookup, options: Partial<typeof LEARN_DEFAULTS> = {}): Promise<{ known: KnownInfra; logins: number; handles: number }> {
  const ids = members.map((member) => member.accountId);
  const actors = await readActors(connection, ids);
  const handleOf = new Map(actors.map((actor) => [actor.id, actor.handle]));
  const logins = await readLogins(connection, ids);
  const baseline = await readUserAgentBaseline(connection);
  const next = learnInfra(known, {
    members: members.map((member) => ({ ...member, handle: handleOf.get(member.accountId) ?? null })),
    logins, baselineUserAgents: baseline.counts, baselineLogins: baseline.logins, lookup,
  }, options);
  return { known: next, logins: logins.length, handles: actors.filter((actor) => actor.handle !== null).length };
}
