/**
 * `lockstep detect --compat coortweet`: CooRTweet's detect_groups + generate_coordinated_network
 * on its 4-column format, reproduced exactly (same edges, same weights) so researchers can check
 * lockstep against the tool they know. Rows are read in file order because CooRTweet's output
 * order and edge orientation depend on it.
 */
import { join } from 'node:path';
import { detectGroups, generateCoordinatedNetwork } from '../../detect/coortweet-compat.js';
import type { CoordinatedEdges, CoShareInput, CoShareRows } from '../../detect/coortweet-compat.js';
import { csvField } from '../../detect/output/index.js';
import { badOption } from '../../model/index.js';
import type { Reject } from '../../model/index.js';
import { readCoortweetColumnsSplit, RejectsFile, sharedIds } from '../../ingest/columnar/index.js';
import type { ByteInterner } from '../../ingest/columnar/index.js';
import type { CoortweetFileCounts } from '../../ingest/columnar/index.js';
import { readThreads } from '../detect/read-threads.js';
import type { ReadThreads } from '../detect/read-threads.js';
import type { CliIo } from '../io.js';
import { writeChunks } from '../detect/graph-files.js';
import { writeSummary } from '../detect/write-outputs.js';

interface CompatOptions { out: string; window: string; minParticipation: string; edgeWeightQuantile: string; readThreads?: string; json?: boolean }

/**
 * Reads CooRTweet rows in file order straight into columns (src/ingest/columnar); accounts are
 * numbered by first appearance, as R's data.table does. Bad rows go to the rejects file.
 */
async function readRows(files: readonly string[], rejectsPath: string, threads: ReadThreads): Promise<{ input: CoShareInput; accounts: ByteInterner; rows: number; rejected: number; rejectsFile: string | null; files: CoortweetFileCounts[] }> {
  const rejected: Reject[] = [];
  const columns = await readCoortweetColumnsSplit(files, (reject) => rejected.push(reject), { threads });
  const rejects = new RejectsFile(rejectsPath);
  try {
    for (const reject of rejected) await rejects.write(reject);
  } finally {
    await rejects.close();
  }
  const ids = sharedIds(columns);
  return {
    input: { objectId: ids.object, accountId: columns.account, contentId: ids.content, time: columns.timestamp, accountCount: columns.accounts.size, idCount: ids.count },
    accounts: columns.accounts, rows: columns.size, rejected: rejected.length, rejectsFile: rejects.writtenPath, files: columns.files,
  };
}

/**
 * Each account's rank in the string order R's pmin/pmax used, for the accounts of co-share rows
 * only: the network compares no others (their rank stays 0). On 2.2M simulated rows that is 2,200
 * accounts to sort instead of all 110,000 (0.13-0.17 s of the run).
 */
function coShareAccountRank(groups: CoShareRows, accounts: ByteInterner): Int32Array {
  const rank = new Int32Array(accounts.size);
  const seen = new Uint8Array(accounts.size);
  const ids: number[] = [];
  for (const column of [groups.accountId, groups.accountIdY]) {
    for (let s = 0; s < groups.size; s++) {
      const account = column[s]!;
      if (seen[account] === 0) { seen[account] = 1; ids.push(account); }
    }
  }
  // JS string order (byte order for ASCII ids); a sort of their texts, without writing out every
  // account's bytes as the interner's own byte sort would (0.05-0.1 s at 110,000 accounts).
  const texts = ids.map((id) => ({ id, text: accounts.text(id) }));
  texts.sort((x, y) => (x.text < y.text ? -1 : 1)).forEach(({ id }, at) => { rank[id] = at; });
  return rank;
}

/**
 * edges.csv's text in chunks of about 64 KB, a write each: a write per edge cost 0.03-0.05 s at
 * 4,545 edges, mostly the stream's own work per call.
 */
function* edgesCsv(network: CoordinatedEdges, accounts: ByteInterner): Generator<string> {
  let chunk = 'source,target,weight,avg_time_delta,n_content_id,n_content_id_y,edge_symmetry_score\n';
  for (let edge = 0; edge < network.size; edge++) {
    chunk += `${[
      csvField(accounts.text(network.from[edge]!)), csvField(accounts.text(network.to[edge]!)), network.weight[edge],
      network.avgTimeDelta[edge], network.nContentId[edge], network.nContentIdY[edge], network.edgeSymmetryScore[edge],
    ].join(',')}\n`;
    if (chunk.length >= 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}

export async function runCoortweetCompat(inputs: readonly string[], options: CompatOptions, io: CliIo): Promise<void> {
  if (inputs.length === 0) throw badOption('--compat coortweet', 'give the CooRTweet CSV file(s) to read');
  const window = Number(options.window);
  if (!Number.isFinite(window) || window < 0) throw badOption('--window', 'with --compat coortweet give the time window in seconds (CooRTweet time_window)');
  const started = performance.now();
  const { input, accounts, rows, rejected, rejectsFile, files } = await readRows(inputs, join(options.out, 'rejects.csv'), readThreads(options.readThreads));
  const groups = detectGroups(input, { timeWindow: window, minParticipation: Number(options.minParticipation) });
  const network = generateCoordinatedNetwork(groups, { edgeWeight: Number(options.edgeWeightQuantile), subgraph: 1, accountRank: coShareAccountRank(groups, accounts) });
  await writeChunks(join(options.out, 'edges.csv'), edgesCsv(network, accounts));
  const summary = {
    compat: 'coortweet', time_window: window, min_participation: Number(options.minParticipation), edge_weight: Number(options.edgeWeightQuantile),
    input_rows: rows + rejected, rejected_rows: rejected, rejects_file: rejectsFile, co_share_rows: groups.size, edges: network.size, accounts: network.vertices.length, weight_threshold: network.threshold,
    seconds: Math.round(performance.now() - started) / 1000,
    // Per input file: threads it was read on and what decided (coortweet-split.ts).
    read_threads: files.map((file) => file.threads), read_split: files.map((file) => file.split ?? 'small'),
  };
  await writeSummary(options.out, summary);
  io.out(options.json === true ? JSON.stringify(summary) : `CooRTweet-compatible network: ${network.size} edges among ${network.vertices.length} accounts (threshold weight > ${network.threshold}) from ${groups.size} co-share rows; edges.csv in ${options.out}`);
}
