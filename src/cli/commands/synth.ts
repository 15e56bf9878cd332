/** `lockstep synth` and `lockstep eval`: the synthetic benchmark and how detection scores on it. */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { csvField } from '../../detect/output/index.js';
import { badOption } from '../../model/index.js';
import type { CliIo } from '../io.js';

async function writeCsv(path: string, header: readonly string[], rows: Iterable<readonly string[]>, quoteAll: boolean): Promise<number> {
  const stream = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const line = (values: readonly string[]): string => `${values.map((value) => (quoteAll ? `"${value.replaceAll('"', '""')}"` : csvField(value))).join(',')}\n`;
  stream.write(line(header));
  let count = 0;
  let buffer = '';
  for (const row of rows) {
    buffer += line(row);
    count += 1;
    if (buffer.length > 1 << 20) {
      if (!stream.write(buffer)) await once(stream, 'drain');
      buffer = '';
    }
  }
  stream.end(buffer);
  await once(stream, 'finish');
  return count;
}

export function registerSynth(program: Command, io: CliIo): void {
  program.command('synth')
    .description('Write a synthetic Information Operations archive with planted campaigns and organic confounders (tweets.csv, users.csv, truth.csv)')
    .requiredOption('--out <dir>', 'output directory')
    .option('--seed <n>', 'random seed', '1')
    .option('--scale <s>', 'size: 1 is about 100,000 tweets and 5,000 accounts', '1')
    .addOption(new Option('--time-precision <unit>', 'tweet_time precision').choices(['minute', 'second']).default('minute'))
    .option('--json', 'print the summary as JSON')
    .action(async (options: { out: string; seed: string; scale: string; timePrecision: 'minute' | 'second'; json?: boolean }) => {
      const seed = Number(options.seed);
      const scale = Number(options.scale);
      if (!Number.isInteger(seed)) throw badOption('--seed', `"${options.seed}" is not an integer`);
      if (!(scale > 0)) throw badOption('--scale', `"${options.scale}" is not a positive number`);
      await mkdir(options.out, { recursive: true });
      // The generator loads when it runs, not with every command.
      const [{ generateSynthetic }, { infraFiles }] = await Promise.all([import('../../synth/index.js'), import('../../synth/infra-files.js')]);
      const tables = generateSynthetic({ seed, scale, timePrecision: options.timePrecision });
      const tweets = await writeCsv(join(options.out, 'tweets.csv'), tables.tweetColumns, tables.tweets, true);
      const users = await writeCsv(join(options.out, 'users.csv'), tables.userColumns, tables.users, true);
      await writeCsv(join(options.out, 'truth.csv'), tables.truthColumns, tables.truth, false);
      const infra = infraFiles(seed, scale, tables.users, tables.truth);
      for (const file of infra.files) await writeCsv(join(options.out, file.name), file.header, file.rows, false);
      const summary = { tweets, users, coordinated: tables.summary.coordinatedAccounts, campaigns: tables.summary.campaigns.length, out: options.out };
      io.out(options.json === true ? JSON.stringify({ ...summary, plan: tables.summary, signups: infra.signups }) :
        `wrote ${tweets} tweets and ${users} accounts (${summary.coordinated} coordinated in ${summary.campaigns} campaigns) to ${options.out}/tweets.csv, users.csv, truth.csv` +
        `, and logins.csv, ipinfo.csv, new_signups.csv (${infra.signups.fake} fake, ${infra.signups.organic} organic), truth_signups.csv`);
    });

  program.command('eval')
    .description('Score a detection (DIR/accounts.csv) against the truth of a synthetic archive')
    .requiredOption('--truth <file>', 'truth.csv written by lockstep synth')
    .requiredOption('--out <dir>', 'the output directory of lockstep detect')
    .option('--signup-scores <file>', 'also score sign-up decisions (lockstep signups score --out) against truth_signups.csv beside --truth')
    .option('--json', 'print the evaluation as JSON')
    .action(async (options: { truth: string; out: string; signupScores?: string; json?: boolean }) => {
      const [{ parse }, { evaluate, formatEvaluation, parseTruth }, { evaluateSignups, formatSignupEvaluation }] = await Promise.all([
        import('csv-parse/sync'), import('../../synth/index.js'), import('../../synth/signups-evaluate.js'),
      ]);
      const truthRecords = parse(await readFile(options.truth, 'utf8'), { bom: true }) as string[][];
      const truth = parseTruth(truthRecords[0] ?? [], truthRecords.slice(1), options.truth);
      const accounts = parse(await readFile(join(options.out, 'accounts.csv'), 'utf8'), { bom: true, columns: true }) as { account_id: string }[];
      const evaluation = evaluate(truth, new Set(accounts.map((row) => row.account_id)));
      const signupTruth = join(dirname(options.truth), 'truth_signups.csv');
      const signups = options.signupScores === undefined ? null : evaluateSignups(parse(await readFile(signupTruth, 'utf8'), { bom: true }) as string[][],
        parse(await readFile(options.signupScores, 'utf8'), { bom: true }) as string[][], { truth: signupTruth, scores: options.signupScores });
      io.out(options.json === true ? JSON.stringify(signups === null ? evaluation : { ...evaluation, signups }) :
        `${formatEvaluation(evaluation)}${signups === null ? '' : `\n${formatSignupEvaluation(signups)}`}`);
    });
}
