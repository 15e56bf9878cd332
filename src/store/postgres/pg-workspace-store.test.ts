/**
 * The workspace contract on a real PostgreSQL: a throwaway cluster started for this file. It
 * fails (never skips) when PostgreSQL is missing; `.ci/run` installs it.
 */
import { after, before } from 'node:test';
import { workspaceStoreContract } from '../../cases/test-support/workspace-contract.js';
import { openPgWorkspace } from './pg-workspace-store.js';
import { startThrowawayPostgres } from './test-support/throwaway-postgres.js';
import type { ThrowawayPostgres } from './test-support/throwaway-postgres.js';

let server: ThrowawayPostgres | undefined;
before(async () => { server = await startThrowawayPostgres(); });
after(async () => { await server?.stop(); });

workspaceStoreContract('PostgreSQL', async () => {
  if (server === undefined) throw new Error('the throwaway PostgreSQL did not start');
  return openPgWorkspace(server.url);
});
