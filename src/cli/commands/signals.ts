/**
 * `lockstep signals`: attribution evidence (account and infrastructure signals against the
 * platform baseline) for the clusters of a detection or a list of accounts, read from the store.
 * Also the store glue `lockstep detect` uses to put the same evidence into clusters.json.
 */
import { readFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { badOption } from '../../model/index.js';
import type { AttributionData, AttributionEvidence, Signal } from '../../signals/index.js';
import type { CliIo } from '../io.js';

export const SIGNALS_DEFAULTS = {
  /** Baseline accounts read from the store besides the members (a uniform sample beyond this). */
  baselineAccounts: 200_000,
  /** Accounts outside the clusters whose activity (client apps, dormancy) forms the baseline. */
  baselineActivity: 5_000,
};

/**
 * What attribution needs from the store for these members, or null when the store has neither
 * account profiles nor logins (then there is nothing to attribute with).
 */
export async function attributionData(connection: DuckDBConnection, memberIds: readonly string[], options: Partial<typeof SIGNALS_DEFAULTS> = {}): Promise<AttributionData | null> {
  const settings = { ...SIGNALS_DEFAULTS, ...options };
  // The signal modules load when attribution runs, not with every command.
  const [{ buildIpTable }, { infraCounts, profiledActors, readActivity, readActorsWithSample, readAllLogins, readIpNetworks }] = await Promise.all([
    import('../../signals/index.js'), import('../../signals/signup/store-inputs.js'),
  ]);
  const counts = await infraCounts(connection);
  const profiled = await profiledActors(connection);
  if (profiled === 0 && counts.infra === 0) return null;
  const actors = await readActorsWithSample(connection, memberIds, settings.baselineAccounts);
  const members = new Set(memberIds);
  const others = actors.filter((actor) => !members.has(actor.id)).slice(0, settings.baselineActivity).map((actor) => actor.id);
  const activity = await readActivity(connection, [...members, ...others]);
  const logins = counts.infra === 0 ? [] : await readAllLogins(connection);
  const lookup = counts.networks === 0 ? null : buildIpTable(await readIpNetworks(connection));
  return { actors, activity, logins, lookup };
}

/**
 * Evidence per group of member ids (null for all when the store holds nothing to attribute with).
 * @example const evidence = await attributeFromStore(store.connection, clusters.map((c) => c.members.map((m) => m.account_id)));
 */
export async function attributeFromStore(connection: DuckDBConnection, groups: readonly (readonly string[])[], options: Partial<typeof SIGNALS_DEFAULTS> = {}): Promise<(AttributionEvidence | null)[]> {
  const data = await attributionData(connection, groups.flat(), options);
  if (data === null) return groups.map(() => null);
  const { attributor } = await import('../../signals/index.js');
  const attribute = attributor(data);
  return groups.map((members) => attribute.evidence(members));
}

const signalLine = (signal: Signal): string =>
  `    ${signal.name.padEnd(24)} ${signal.direction.padEnd(8)} ${signal.confidence.padEnd(6)} ${(signal.value * 100).toFixed(1).padStart(5)}% vs ${(signal.baseline * 100).toFixed(2)}% (x${signal.ratio}, z ${signal.z}) ${signal.count}/${signal.of}`;

export function describeEvidence(label: string, evidence: AttributionEvidence | null): string {
  if (evidence === null) return `${label}: the store has no account profiles or logins to attribute with`;
  const { supports } = evidence.summary;
  return [`${label}: ${evidence.accounts} accounts (${evidence.with_profile} with profiles, ${evidence.with_logins} with logins); supporting signals: ${supports.high} high, ${supports.medium} medium, ${supports.low} low; weakening: ${evidence.summary.weakens}`,
    ...evidence.signals.map(signalLine)].join('\n');
}

export function registerSignals(program: Command, config: Config, io: CliIo): void {
  program.command('signals')
    .description('Attribution evidence: account and infrastructure signals of clusters (or a list of accounts) against the platform baseline')
    .option('--db <path>', 'store file (DuckDB)', config.dbPath)
    .option('--clusters <file>', 'clusters.json written by lockstep detect (flagged clusters)')
    .option('--accounts <file>', 'a CSV with an account_id column (cluster_id, if present, groups them)')
    .option('--json', 'print the evidence as JSON')
    .addHelpText('after', '\nNo signal decides alone, and naming an operator is an analyst\'s decision recorded on the case.')
    .action(async (options: { db: string; clusters?: string; accounts?: string; json?: boolean }) => {
      if (options.clusters === undefined && options.accounts === undefined) throw badOption('--clusters', 'give --clusters FILE or --accounts FILE');
      const [{ membersFromAccountsCsv, membersFromClustersJson }, { DuckDbStore }] = await Promise.all([import('../../signals/signup/index.js'), import('../../store/index.js')]);
      const members = [
        ...(options.clusters === undefined ? [] : membersFromClustersJson(await readFile(options.clusters, 'utf8'), options.clusters)),
        ...(options.accounts === undefined ? [] : membersFromAccountsCsv(await readFile(options.accounts, 'utf8'), options.accounts, 'accounts')),
      ];
      const groups = new Map<string, string[]>();
      for (const member of members) {
        let list = groups.get(member.source);
        if (list === undefined) groups.set(member.source, (list = []));
        list.push(member.accountId);
      }
      const store = await DuckDbStore.open(options.db);
      try {
        const evidence = await attributeFromStore(store.connection, [...groups.values()]);
        const labels = [...groups.keys()];
        if (options.json === true) io.out(JSON.stringify(labels.map((label, i) => ({ group: label, attribution: evidence[i] ?? null }))));
        else io.out(labels.map((label, i) => describeEvidence(label, evidence[i] ?? null)).join('\n'));
      } finally {
        await store.close();
      }
    });
}
