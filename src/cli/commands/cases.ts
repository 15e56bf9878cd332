/**
 * `lockstep cases`: open a case on a detected cluster and list or show cases from the command line
 * (the same case service the workspace uses, so the audit log records it alike). The CLI acts as
 * an admin named by `--as`, since whoever holds the store file holds every right anyway.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Config } from '../../config.js';
import { CASE_STATUSES } from '../../cases/types.js';
import type { CaseRecord, CaseStatus, User } from '../../cases/types.js';
import type { Workspace } from '../../server/workspace.js';
import type { CliIo } from '../io.js';

interface StoreFlags { db: string; pg?: string; as: string; json?: boolean }

async function withWorkspace<T>(config: Config, flags: StoreFlags, work: (workspace: Workspace, actor: User) => Promise<T>): Promise<T> {
  // The workspace (stores, case service, adapters) loads when a cases command runs, not with every command.
  const { openWorkspace } = await import('../../server/workspace.js');
  const workspace = await openWorkspace({ dbPath: flags.db, pgUrl: flags.pg ?? config.pgUrl, enforcement: config.enforcement });
  try {
    return await work(workspace, { name: flags.as, role: 'admin', createdAt: Date.now() });
  } finally {
    await workspace.close();
  }
}

function caseLine(record: CaseRecord): string {
  return `${record.id}\t${record.status}\tcluster ${record.clusterId}\t${record.title}`;
}

function storeOptions(command: Command, config: Config): Command {
  return command
    .option('--db <path>', 'store file (DuckDB)', config.dbPath)
    .option('--pg <url>', 'PostgreSQL workspace store (default: LOCKSTEP_PG)')
    .option('--as <name>', 'who acts, as recorded in the audit log', 'cli')
    .option('--json', 'print JSON on stdout');
}

export function registerCases(program: Command, config: Config, io: CliIo): void {
  const cases = program.command('cases').description('Cases: open one on a detected cluster, list them, show one');
  storeOptions(cases.command('open'), config)
    .description('Open a case on a cluster of the latest `detect --db` run (prints the case id)')
    .argument('<cluster>', 'cluster id, as in clusters.json or the workspace')
    .option('--title <text>', 'case title (default: cluster, size and score)')
    .action(async (cluster: string, flags: StoreFlags & { title?: string }) => {
      await withWorkspace(config, flags, async (workspace, actor) => {
        const record = await workspace.deps.cases.open(actor, { clusterId: cluster, ...(flags.title === undefined ? {} : { title: flags.title }) });
        if (flags.json === true) io.out(JSON.stringify(record));
        else io.out(record.id);
        io.err(`opened case ${record.id}: ${record.title}`);
      });
    });
  storeOptions(cases.command('list'), config)
    .description('List cases (id, status, cluster, title)')
    .addOption(new Option('--status <status>', 'only cases in this state').choices(CASE_STATUSES))
    .action(async (flags: StoreFlags & { status?: CaseStatus }) => {
      await withWorkspace(config, flags, async (workspace) => {
        const records = await workspace.deps.cases.list(flags.status === undefined ? {} : { status: flags.status });
        if (flags.json === true) io.out(JSON.stringify(records));
        else for (const record of records) io.out(caseLine(record));
      });
    });
  storeOptions(cases.command('show'), config)
    .description('Show a case with its entities, notes, decisions and outcomes')
    .argument('<case>', 'case id')
    .action(async (id: string, flags: StoreFlags) => {
      await withWorkspace(config, flags, async (workspace) => {
        const detail = await workspace.deps.cases.detail(id);
        if (flags.json === true) {
          io.out(JSON.stringify(detail));
          return;
        }
        io.out(caseLine(detail));
        io.out(`entities: ${detail.entities.length}, notes: ${detail.notes.length}, decisions: ${detail.decisions.length}, outcomes: ${detail.outcomes.length}`);
        for (const entity of detail.entities.slice(0, 20)) io.out(`  ${entity.kind}\t${entity.id}${entity.handle === null ? '' : `\t@${entity.handle}`}`);
        if (detail.entities.length > 20) io.out(`  … ${detail.entities.length - 20} more (--json for all)`);
      });
    });
}
