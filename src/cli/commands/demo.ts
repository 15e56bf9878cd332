/** `lockstep demo` (what `npm start` runs): the main job on the bundled example data. */
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import type { CliIo } from '../io.js';
import { describeIngest, ingestInto } from './ingest.js';
import { DETECT_CLI_DEFAULTS, runDetect } from './detect.js';
import { describeStats } from './stats.js';

/** examples/ ships beside dist/ and src/ alike. */
export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');

export const EXAMPLE_FILES = [
  'twitter-io/russia_201901_1_tweets_sample.csv',
  'twitter-io/china_082019_1_users_csv_hashed.csv',
];

/** A synthetic archive with planted campaigns and organic confounders (lockstep synth --seed 2019 --scale 0.2). */
export const SYNTHETIC_FILES = ['synthetic/tweets.csv', 'synthetic/users.csv'];
export const SYNTHETIC_TRUTH = 'synthetic/truth.csv';

export function registerDemo(program: Command, config: Config, io: CliIo): void {
  program.command('demo')
    .description('Run the main job on the bundled example data, in a fresh store (what `npm start` does)')
    .option('--db <path>', 'store file, recreated on every run', 'lockstep-demo.duckdb')
    .option('--rejects <path>', 'where rows that cannot be read are kept', 'lockstep-demo-rejects.csv')
    .option('--out <dir>', 'where detection writes its outputs', 'lockstep-demo-out')
    .action(async (options: { db: string; rejects: string; out: string }) => {
      // The store, the scorer and the workspace load when the demo runs, not with every command.
      const [{ DuckDbStore }, { evaluate, formatEvaluation, parseTruth }, { parse }, { addUser }, { openDuckDbWorkspace }] = await Promise.all([
        import('../../store/index.js'), import('../../synth/index.js'), import('csv-parse/sync'), import('../../server/auth.js'), import('../../store/duckdb/workspace-store.js'),
      ]);
      await rm(options.db, { force: true });
      await rm(`${options.db}.wal`, { force: true });
      // The synthetic archive goes into the store first and is detected there, so the store holds
      // its actions and its clusters (what the workspace shows); the real sample joins it after.
      const synthetic = SYNTHETIC_FILES.map((file) => join(EXAMPLES_DIR, file));
      let store = await DuckDbStore.open(options.db);
      try {
        io.out(`lockstep demo: ingesting the bundled synthetic archive (${SYNTHETIC_FILES.join(', ')}) into ${options.db}`);
        io.out(describeIngest(await ingestInto(store, synthetic, { rejects: options.rejects }, config.progress)));
      } finally {
        await store.close();
      }
      io.out('');
      io.out('lockstep demo: detecting coordination in it (lockstep detect --db)');
      await runDetect([], { ...DETECT_CLI_DEFAULTS, db: options.db, out: options.out }, config, io);
      const truth = join(EXAMPLES_DIR, SYNTHETIC_TRUTH);
      const accounts = parse(await readFile(join(options.out, 'accounts.csv'), 'utf8'), { bom: true, columns: true }) as { account_id: string }[];
      const truthRecords = parse(await readFile(truth, 'utf8'), { bom: true }) as string[][];
      io.out('');
      io.out('How that compares with the planted truth (lockstep eval):');
      io.out(formatEvaluation(evaluate(parseTruth(truthRecords[0] ?? [], truthRecords.slice(1), truth), new Set(accounts.map((row) => row.account_id)))));
      io.out('');
      store = await DuckDbStore.open(options.db);
      let token: string;
      try {
        const files = EXAMPLE_FILES.map((file) => join(EXAMPLES_DIR, file));
        io.out(`lockstep demo: ingesting the bundled Information Operations sample (${files.length} files) into ${options.db}`);
        io.out(describeIngest(await ingestInto(store, files, { rejects: options.rejects }, config.progress)));
        io.out('');
        io.out(describeStats(await store.stats()));
        const workspace = await openDuckDbWorkspace(store.connection);
        const now = Date.now();
        token = (await addUser(workspace, { name: 'demo', role: 'admin', now })).token;
        await workspace.appendAudit([{ time: now, actor: 'cli', action: 'user.add', subject: 'user:demo', caseId: null, payload: { role: 'admin' } }]);
      } finally {
        await store.close();
      }
      io.out('');
      io.out('Open the investigation workspace on it:');
      io.out(`  lockstep serve --db ${options.db}        (then http://127.0.0.1:8080/)`);
      io.out(`  sign in with the demo admin token: ${token}`);
      io.out(`  more users: lockstep users add NAME --role admin|investigator|reviewer|viewer --db ${options.db}`);
    });
}
