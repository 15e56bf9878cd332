/** `lockstep serve`: the investigation workspace (API, OpenAPI document and web UI) on the store. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Hono } from 'hono';
import type { Config } from '../../config.js';
import { badOption } from '../../model/index.js';
import type { KnownInfra } from '../../signals/signup/index.js';
import type { DuckDbStore } from '../../store/index.js';
import type { CliIo } from '../io.js';

/** dist/web beside src/ and dist/ alike (the Vite build of src/web writes it). */
export const UI_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'web');

interface ServeOptions { db?: string; pg?: string; port: string; host: string; mastodonUrl?: string; ui?: string }

interface SignupService { routes: Hono; answer: (text: string) => { status: number; body: string }; close(): Promise<void> }

/**
 * The sign-up scorer. It knows the infrastructure `lockstep signups learn` saved in the state file
 * plus that of the latest run's flagged clusters, and its velocity counts carry on from the last
 * shutdown: the state is saved behind while serving and once more on close.
 */
async function signupService(store: DuckDbStore, dbPath: string): Promise<SignupService> {
  const [signup, { queryRows }] = await Promise.all([import('../../signals/signup/index.js'), import('../../store/duckdb/connection.js')]);
  const members = (await queryRows(store.connection, `SELECT DISTINCT m.account_id, m.cluster_id FROM det_members m JOIN det_clusters c USING (run_id, cluster_id)
    WHERE m.run_id = (SELECT max(run_id) FROM det_runs) AND c.flagged`)).map((row) => ({ accountId: String(row['account_id']), source: `cluster ${String(row['cluster_id'])}` }));
  const table = await signup.loadIpTableFromStore(store.connection, 'store');
  const learn = async (saved: KnownInfra): Promise<KnownInfra> => (await signup.learnFromStore(store.connection, members, saved, table.lookup)).known;
  if (dbPath === ':memory:') {
    const scorer = signup.createSignupScorer(await learn(signup.emptyKnownInfra()), table.lookup);
    return { routes: signup.signupScoreRoutes(scorer), answer: (text) => signup.answerSignup(scorer, text), close: async () => {} };
  }
  const opened = await signup.openSignupScorer(signup.statePathFor(dbPath), table.lookup, { learn });
  return { routes: signup.signupScoreRoutes(opened.scorer), answer: (text) => signup.answerSignup(opened.scorer, text), close: opened.close };
}

export function registerServe(program: Command, config: Config, io: CliIo): void {
  program.command('serve')
    .description('Serve the investigation workspace: JSON API under /v1, /openapi.json, and the web UI at /')
    .option('--db <path>', 'store file (actions and detection runs from `lockstep detect --db`)', config.dbPath)
    .option('--pg <url>', 'PostgreSQL for cases, decisions, audit and users (default: LOCKSTEP_PG, else the store file)')
    .option('--port <n>', 'port (0: any free port)', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--mastodon-url <url>', 'Mastodon instance for the mastodon adapter (the token comes from LOCKSTEP_MASTODON_TOKEN)')
    .option('--ui <dir>', 'folder of the built web UI', UI_DIR)
    .addHelpText('after', `
Enforcement adapters are configured from the environment (never on the command line):
  LOCKSTEP_MASTODON_URL, LOCKSTEP_MASTODON_TOKEN       Mastodon admin API
  LOCKSTEP_OZONE_URL, LOCKSTEP_OZONE_TOKEN, LOCKSTEP_OZONE_DID, LOCKSTEP_OZONE_MODE=moderator|reporter   Bluesky Ozone
  LOCKSTEP_WEBHOOK_URL, LOCKSTEP_WEBHOOK_SECRET        signed webhooks (HMAC-SHA256)
Users and tokens: lockstep users add NAME --role admin|investigator|reviewer|viewer`)
    .action(async (options: ServeOptions) => {
      const running = await startWorkspaceServer(options, config, io);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await running.close();
    });
}

/** Opens the stores, builds the app and listens; what `lockstep serve` runs until a signal. */
export async function startWorkspaceServer(options: Partial<ServeOptions>, config: Config, io: CliIo): Promise<{ url: string; close(): Promise<void> }> {
  const port = Number(options.port ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw badOption('--port', `"${options.port ?? ''}" is not a port number`);
  const enforcement = { ...config.enforcement };
  if (options.mastodonUrl !== undefined) {
    const token = config.enforcement.mastodon?.token;
    if (token === undefined) throw badOption('--mastodon-url', 'set LOCKSTEP_MASTODON_TOKEN to an admin token as well');
    enforcement.mastodon = { url: options.mastodonUrl, token };
  }
  const dbPath = options.db ?? config.dbPath;
  const pgUrl = options.pg ?? config.pgUrl;
  // The server, the API and the stores load when the workspace starts, not with every command.
  const [{ createApiServer }, { listen }, { openWorkspace }] = await Promise.all([
    import('../../server/app.js'), import('../../server/server.js'), import('../../server/workspace.js'),
  ]);
  const workspace = await openWorkspace({ dbPath, pgUrl, enforcement });
  let signups: SignupService | null = null;
  try {
    signups = await signupService(workspace.duckdb, dbPath);
    // The listener answers the sign-up route on its fast path, everything else through the app.
    const { app, listener } = createApiServer(workspace.deps, { uiDir: options.ui ?? UI_DIR, signups: signups.routes, signupAnswer: signups.answer });
    const server = await listen(app, { host: options.host ?? '127.0.0.1', port, listener });
    const users = await workspace.deps.store.listUsers();
    io.out(`lockstep workspace on ${server.url}/ (API ${server.url}/v1, OpenAPI ${server.url}/openapi.json), store ${dbPath}${pgUrl === null ? '' : ' + PostgreSQL'}`);
    if (users.length === 0) io.out(`no users yet: stop the server and run  lockstep users add NAME --role admin --db ${dbPath}  to get a sign-in token`);
    const configured = Object.entries(workspace.deps.adapterTargets).filter(([, target]) => target !== null).map(([name]) => name);
    io.out(`enforcement adapters: ${configured.length === 0 ? 'none configured (see lockstep serve --help)' : configured.join(', ')}`);
    return {
      url: server.url,
      async close() {
        await server.close();
        await signups?.close();
        await workspace.close();
      },
    };
  } catch (error) {
    await signups?.close();
    await workspace.close();
    throw error;
  }
}
