/**
 * `lockstep detect --compat coortweet`: CooRTweet's detect_groups + generate_coordinated_network
 * on its 4-column format, reproduced exactly (same edges, same weights) so researchers can check
 * lockstep against the tool they know. Rows are read in file order because CooRTweet's output
 * order and edge orientation depend on it.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { coortweetNetwork } from '../../detect/coortweet-compat.js';
import type { CoShareInput } from '../../detect/coortweet-compat.js';
import { csvField } from '../../detect/output/index.js';
import { badOption, unknownFormat } from '../../model/index.js';
import { readHead } from '../../ingest/file-text.js';
import { parseCsvHeader } from '../../ingest/formats.js';
import type { CliIo } from '../io.js';

const COLUMNS = ['object_id', 'account_id', 'content_id', 'timestamp_share'] as const;

interface CompatOptions { out: string; window: string; minParticipation: string; edgeWeightQuantile: string; json?: boolean }

/** Reads CooRTweet rows in file order and interns ids by first appearance, as R's data.table does. */
async function readRows(files: readonly string[]): Promise<{ input: CoShareInput; ids: string[]; accounts: string[]; accountRank: Int32Array; rows: number }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const idOf = new Map<string, number>();
  const accountOf = new Map<string, number>();
  const objectId: number[] = [];
  const accountId: number[] = [];
  const contentId: number[] = [];
  const time: number[] = [];
  try {
    for (const file of files) {
      const header = parseCsvHeader(await readHead(file)) ?? [];
      const missing = COLUMNS.filter((column) => !header.includes(column));
      if (missing.length > 0) throw unknownFormat(file, `--compat coortweet needs the columns ${COLUMNS.join(', ')}; missing ${missing.join(', ')}`);
      const columns = `{${header.map((name) => `'${name.replaceAll("'", "''")}': 'VARCHAR'`).join(', ')}}`;
      const result = await connection.stream(`SELECT object_id, account_id, content_id, try_cast(timestamp_share AS DOUBLE) FROM read_csv('${file.replaceAll("'", "''")}', header = true, columns = ${columns}, auto_detect = false, ignore_errors = true)
        WHERE object_id IS NOT NULL AND account_id IS NOT NULL AND content_id IS NOT NULL AND try_cast(timestamp_share AS DOUBLE) IS NOT NULL`);
      for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        const [objects, accounts, contents, times] = [0, 1, 2, 3].map((column) => chunk.getColumnVector(column));
        for (let row = 0; row < chunk.rowCount; row++) {
          const intern = (map: Map<string, number>, value: unknown): number => {
            const key = String(value);
            let id = map.get(key);
            if (id === undefined) map.set(key, (id = map.size));
            return id;
          };
          objectId.push(intern(idOf, objects?.getItem(row)));
          accountId.push(intern(accountOf, accounts?.getItem(row)));
          contentId.push(intern(idOf, contents?.getItem(row)));
          time.push(Number(times?.getItem(row)));
        }
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const accounts = [...accountOf.keys()];
  const accountRank = new Int32Array(accounts.length);
  [...accounts.keys()].sort((x, y) => ((accounts[x] ?? '') < (accounts[y] ?? '') ? -1 : 1)).forEach((account, rank) => { accountRank[account] = rank; });
  return {
    input: { objectId: Int32Array.from(objectId), accountId: Int32Array.from(accountId), contentId: Int32Array.from(contentId), time: Float64Array.from(time), accountCount: accounts.length, idCount: idOf.size },
    ids: [...idOf.keys()], accounts, accountRank, rows: objectId.length,
  };
}

export async function runCoortweetCompat(inputs: readonly string[], options: CompatOptions, io: CliIo): Promise<void> {
  if (inputs.length === 0) throw badOption('--compat coortweet', 'give the CooRTweet CSV file(s) to read');
  const window = Number(options.window);
  if (!Number.isFinite(window) || window < 0) throw badOption('--window', 'with --compat coortweet give the time window in seconds (CooRTweet time_window)');
  const started = performance.now();
  const { input, accounts, accountRank, rows } = await readRows(inputs);
  const { groups, network } = coortweetNetwork(input, {
    timeWindow: window, minParticipation: Number(options.minParticipation), edgeWeight: Number(options.edgeWeightQuantile), subgraph: 1, accountRank,
  });
  const stream = createWriteStream(join(options.out, 'edges.csv'));
  stream.write('source,target,weight,avg_time_delta,n_content_id,n_content_id_y,edge_symmetry_score\n');
  for (let edge = 0; edge < network.size; edge++) {
    const line = [
      csvField(accounts[network.from[edge] ?? 0] ?? ''), csvField(accounts[network.to[edge] ?? 0] ?? ''), network.weight[edge],
      network.avgTimeDelta[edge], network.nContentId[edge], network.nContentIdY[edge], network.edgeSymmetryScore[edge],
    ].join(',');
    if (!stream.write(`${line}\n`)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  const summary = {
    compat: 'coortweet', time_window: window, min_participation: Number(options.minParticipation), edge_weight: Number(options.edgeWeightQuantile),
    input_rows: rows, co_share_rows: groups.size, edges: network.size, accounts: network.vertices.length, weight_threshold: network.threshold,
    seconds: Math.round(performance.now() - started) / 1000,
  };
  await writeFile(join(options.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  io.out(options.json === true ? JSON.stringify(summary) : `CooRTweet-compatible network: ${network.size} edges among ${network.vertices.length} accounts (threshold weight > ${network.threshold}) from ${groups.size} co-share rows; edges.csv in ${options.out}`);
}
