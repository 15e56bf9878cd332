/** `lockstep users`: API users and tokens (a token is printed once; only its hash is stored). */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Config } from '../../config.js';
import { ROLES } from '../../cases/types.js';
import type { Role } from '../../cases/types.js';
import type { WorkspaceStore } from '../../cases/port.js';
import { badOption } from '../../model/index.js';
import type { CliIo } from '../io.js';

interface StoreOptions { db?: string; pg?: string }

/** The workspace store loads when a users command runs, not with every command. */
async function openStore(config: Config, options: StoreOptions): Promise<WorkspaceStore> {
  const { openWorkspaceStore } = await import('../../server/workspace.js');
  return openWorkspaceStore(options.db ?? config.dbPath, options.pg ?? config.pgUrl);
}

export function registerUsers(program: Command, config: Config, io: CliIo): void {
  const users = program.command('users').description('API users and their tokens (roles: admin > investigator > reviewer > viewer)');
  users.command('add')
    .description('Add a user and print their token (shown once; store it now)')
    .argument('<name>', 'user name (letters, digits, _ . @ -)')
    .addOption(new Option('--role <role>', 'what the user may do').choices(ROLES).makeOptionMandatory())
    .option('--db <path>', 'store file', config.dbPath)
    .option('--pg <url>', 'PostgreSQL workspace store (default: LOCKSTEP_PG)')
    .action(async (name: string, options: StoreOptions & { role: Role }) => {
      if (!/^[\w.@-]{1,100}$/.test(name)) throw badOption('NAME', `"${name}" must be 1-100 letters, digits, _ . @ or -`);
      const { addUser } = await import('../../server/auth.js');
      const store = await openStore(config, options);
      try {
        if ((await store.listUsers()).some((user) => user.name === name)) throw badOption('NAME', `user ${name} exists`);
        const now = Date.now();
        const { token } = await addUser(store, { name, role: options.role, now });
        await store.appendAudit([{ time: now, actor: 'cli', action: 'user.add', subject: `user:${name}`, caseId: null, payload: { role: options.role } }]);
        io.err(`user ${name} (${options.role}) added; the token below is shown once:`);
        io.out(token);
      } finally {
        await store.close();
      }
    });
  users.command('list')
    .description('List users and roles')
    .option('--db <path>', 'store file', config.dbPath)
    .option('--pg <url>', 'PostgreSQL workspace store (default: LOCKSTEP_PG)')
    .action(async (options: StoreOptions) => {
      const store = await openStore(config, options);
      try {
        for (const user of await store.listUsers()) io.out(`${user.name}\t${user.role}\t${new Date(user.createdAt).toISOString()}`);
      } finally {
        await store.close();
      }
    });
}
