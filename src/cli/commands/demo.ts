/** `lockstep demo` (what `npm start` runs): the main job on the bundled example data. */
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { DuckDbStore } from '../../store/index.js';
import type { CliIo } from '../io.js';
import { describeIngest, ingestInto } from './ingest.js';
import { describeStats } from './stats.js';

/** examples/ ships beside dist/ and src/ alike. */
export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');

export const EXAMPLE_FILES = [
  'twitter-io/russia_201901_1_tweets_sample.csv',
  'twitter-io/china_082019_1_users_csv_hashed.csv',
];

export function registerDemo(program: Command, config: Config, io: CliIo): void {
  program.command('demo')
    .description('Run the main job on the bundled example data, in a fresh store (what `npm start` does)')
    .option('--db <path>', 'store file, recreated on every run', 'lockstep-demo.duckdb')
    .option('--rejects <path>', 'where rows that cannot be read are kept', 'lockstep-demo-rejects.csv')
    .action(async (options: { db: string; rejects: string }) => {
      await rm(options.db, { force: true });
      await rm(`${options.db}.wal`, { force: true });
      const store = await DuckDbStore.open(options.db);
      try {
        const files = EXAMPLE_FILES.map((file) => join(EXAMPLES_DIR, file));
        io.out(`lockstep demo: ingesting the bundled example (${files.length} files) into ${options.db}`);
        io.out(describeIngest(await ingestInto(store, files, { rejects: options.rejects }, config.progress)));
        io.out('');
        io.out(describeStats(await store.stats()));
      } finally {
        await store.close();
      }
    });
}
