/**
 * `lockstep signups learn` and `lockstep signups score`: teach the sign-up scorer a network's
 * infrastructure from detected or confirmed clusters, then score registrations in bulk. The state
 * (known infrastructure, velocity counters) lives next to the store in `<db>.signups.json`.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { badOption } from '../../model/index.js';
import type { LoadedIpTable } from '../../signals/signup/index.js';
import type { DuckDbStore } from '../../store/index.js';
import type { CliIo } from '../io.js';

interface CommonOptions { db: string; ipTable?: string; state?: string; json?: boolean }

function describeTable(table: LoadedIpTable): string {
  const notes = [`IP table: ${table.lookup.size} networks from ${table.source}`];
  if (table.rejected.length > 0) notes.push(`${table.rejected.length} unusable rows (first: line ${table.rejected[0]?.line}: ${table.rejected[0]?.reason})`);
  if (table.ipv6Skipped > 0) notes.push(`${table.ipv6Skipped} IPv6 networks left out (IPv6 is not supported yet)`);
  return notes.join('; ');
}

/** The scorer and the store load when a signups command runs, not with every command. */
async function modules() {
  return Promise.all([import('../../signals/signup/index.js'), import('../../store/index.js')]);
}

async function ipTableFor(options: CommonOptions, store: DuckDbStore | null): Promise<LoadedIpTable> {
  const { loadIpTableFile, loadIpTableFromStore } = await import('../../signals/signup/index.js');
  if (options.ipTable !== undefined) return loadIpTableFile(options.ipTable);
  if (store === null) throw badOption('--ip-table', 'give an IP table file, or a --db that holds one');
  return loadIpTableFromStore(store.connection, options.db);
}

export function registerSignups(program: Command, config: Config, io: CliIo): void {
  const signups = program.command('signups').description('Score new registrations against the infrastructure and patterns of detected networks');

  signups.command('learn')
    .description('Learn a network\'s IPs, networks, ASNs, user agents and handle templates from clusters or a confirmed list')
    .option('--db <path>', 'store file (DuckDB) with the members\' logins and the IP table', config.dbPath)
    .option('--clusters <file>', 'clusters.json written by lockstep detect (flagged clusters only)')
    .option('--accounts <file>', 'a CSV with an account_id column (accounts.csv, or a confirmed list)')
    .option('--ip-table <file>', 'IP-network table (CSV or .mmdb) instead of the store\'s')
    .option('--state <file>', 'state file (default: <db>.signups.json)')
    .option('--json', 'print the summary as JSON')
    .action(async (options: CommonOptions & { clusters?: string; accounts?: string }) => {
      if (options.clusters === undefined && options.accounts === undefined) throw badOption('--clusters', 'give --clusters FILE or --accounts FILE');
      const [{ createSignupScorer, knownOf, learnFromStore, loadState, membersFromAccountsCsv, membersFromClustersJson, saveState, statePathFor }, { DuckDbStore }] = await modules();
      const members = [
        ...(options.clusters === undefined ? [] : membersFromClustersJson(await readFile(options.clusters, 'utf8'), options.clusters)),
        ...(options.accounts === undefined ? [] : membersFromAccountsCsv(await readFile(options.accounts, 'utf8'), options.accounts)),
      ];
      const statePath = options.state ?? statePathFor(options.db);
      const state = await loadState(statePath);
      const store = await DuckDbStore.open(options.db);
      try {
        const table = await ipTableFor(options, store);
        const learned = await learnFromStore(store.connection, members, knownOf(state), table.lookup);
        const base = createSignupScorer(learned.known, table.lookup, state).state();
        await saveState(statePath, { ...base, known: learned.known });
        const known = learned.known;
        const summary = {
          members: members.length, logins: learned.logins, ips: Object.keys(known.ips).length,
          fixed_ips: Object.values(known.ips).filter((ip) => !ip.anonymising).length, networks: Object.keys(known.networks).length,
          asns: Object.keys(known.asns).length, user_agents: Object.keys(known.userAgents).length, templates: Object.keys(known.templates).length, state: statePath,
        };
        if (options.json === true) io.out(JSON.stringify(summary));
        else {
          io.err(describeTable(table));
          io.out(`learned from ${summary.members} accounts (${summary.logins} logins): ${summary.ips} IPs (${summary.fixed_ips} not VPN/proxy/hosting), ${summary.networks} networks, ${summary.asns} ASNs, ${summary.user_agents} user agents, ${summary.templates} handle templates; state in ${statePath}`);
        }
      } finally {
        await store.close();
      }
    });

  signups.command('score')
    .description('Score a CSV of registrations (account_id,time,ip,user_agent,handle,email_domain); writes account_id,decision,score,reasons')
    .argument('<file>', 'sign-ups CSV, in time order')
    .requiredOption('--out <file>', 'scores CSV to write')
    .option('--db <path>', 'store file (DuckDB) holding the IP table; its state file holds what was learned', config.dbPath)
    .option('--ip-table <file>', 'IP-network table (CSV or .mmdb) instead of the store\'s')
    .option('--state <file>', 'state file (default: <db>.signups.json)')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, options: CommonOptions & { out: string }) => {
      const [{ createSignupScorer, knownOf, loadState, saveState, scoreSignupFile, statePathFor }, { DuckDbStore }] = await modules();
      const statePath = options.state ?? statePathFor(options.db);
      const state = await loadState(statePath);
      let table: LoadedIpTable;
      if (options.ipTable !== undefined) table = await ipTableFor(options, null);
      else {
        const store = await DuckDbStore.open(options.db);
        try { table = await ipTableFor(options, store); } finally { await store.close(); }
      }
      if (state === null) io.err(`no state in ${statePath} yet: scoring on velocity and handle shape only (run lockstep signups learn first)`);
      const scorer = createSignupScorer(knownOf(state), table.lookup, state);
      const started = performance.now();
      const result = await scoreSignupFile(file, options.out, scorer);
      const seconds = (performance.now() - started) / 1000;
      await saveState(statePath, scorer.state());
      const summary = { ...result, seconds: Math.round(seconds * 1000) / 1000, per_second: Math.round(result.scored / Math.max(seconds, 1e-9)), out: options.out, state: statePath };
      if (options.json === true) io.out(JSON.stringify(summary));
      else {
        io.err(describeTable(table));
        io.out(`scored ${result.scored} sign-ups: ${result.decisions.block} block, ${result.decisions.challenge} challenge, ${result.decisions.allow} allow (${summary.per_second}/s); wrote ${options.out}` +
          (result.rejected > 0 ? `; ${result.rejected} bad rows in ${result.rejectsFile ?? ''}` : ''));
      }
    });
}
