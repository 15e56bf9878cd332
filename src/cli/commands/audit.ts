/** `lockstep audit verify`: re-computes the audit log's hash chain and names the first broken entry. */
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import type { CliIo } from '../io.js';

export function registerAudit(program: Command, config: Config, io: CliIo): void {
  const audit = program.command('audit').description('The append-only, hash-chained audit log of the workspace');
  audit.command('verify')
    .description('Re-compute the hash chain; exit 1 naming the first edited, removed or reordered entry')
    .option('--db <path>', 'store file', config.dbPath)
    .option('--pg <url>', 'PostgreSQL workspace store (default: LOCKSTEP_PG)')
    .option('--json', 'print the verdict as JSON')
    .action(async (options: { db?: string; pg?: string; json?: boolean }) => {
      // The stores load when the command runs, not with every command.
      const [{ openWorkspaceStore }, { verifyAuditChain }] = await Promise.all([import('../../server/workspace.js'), import('../../cases/audit.js')]);
      const store = await openWorkspaceStore(options.db ?? config.dbPath, options.pg ?? config.pgUrl);
      try {
        const verdict = verifyAuditChain(await store.allAudit(), await store.auditHead());
        if (options.json === true) io.out(JSON.stringify(verdict));
        else if (verdict.ok) io.out(`audit log intact: ${verdict.entries} entries, head ${verdict.head}`);
        else io.out(`audit log BROKEN at entry ${verdict.seq} (${verdict.problem}): ${verdict.message}`);
        if (!verdict.ok) io.setExitCode(1);
      } finally {
        await store.close();
      }
    });
}
