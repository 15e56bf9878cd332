/** `lockstep detect`: from files or a store to coordinated clusters and the output contract. */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Config } from '../../config.js';
// Only what the options and help need is imported up front; readers, store and engine load when the command runs.
import type { DetectOptions, DetectionResult, WindowSetting } from '../../detect/pipeline.js';
import { organicExplanation } from '../../detect/organic.js';
import type { OrganicExplanation } from '../../detect/organic.js';
import { DEFAULT_TRACES, TRACE_DESCRIPTIONS, TRACE_NAMES } from '../../detect/traces/trace-names.js';
import type { TraceName } from '../../detect/traces/trace-names.js';
import { FORMAT_NAMES } from '../../ingest/formats.js';
import type { FormatName } from '../../ingest/index.js';
import { badOption } from '../../model/index.js';
import { clusterReports } from '../detect/cluster-report.js';
import type { DetectSource } from '../detect/detect-source.js';
import { READ_THREAD_CHOICES, readThreads } from '../detect/read-threads.js';
import { writeDetectionOutputs, writeSummary } from '../detect/write-outputs.js';
import type { CliIo } from '../io.js';
import { progressBar } from '../progress.js';
import { describeIngest, ingestInto } from './ingest.js';
import type { IngestReport } from './ingest.js';

export interface DetectCliOptions {
  db?: string;
  out: string;
  traces?: string;
  window: string;
  fdr: string;
  minShared: string;
  minClusterSize: string;
  fastRepost: string;
  platform?: string[];
  format?: FormatName;
  map?: string;
  compat?: 'coortweet';
  minParticipation: string;
  edgeWeightQuantile: string;
  keepOrganic?: boolean;
  /** Hidden: 'off' turns off the group test's merge of one-occasion groups (for checking what it buys). */
  mergePushes?: 'on' | 'off';
  postOccasions?: 'on' | 'off';
  /** false with --no-expand: no recruiting by account signals. */
  expand?: boolean;
  /** false with --no-push-joiners: no recruiting of accounts that joined a flagged cluster's exclusive push. */
  pushJoiners?: boolean;
  fullNetwork?: boolean;
  viaStore?: boolean;
  readThreads?: string;
  maxPairsInMemory?: string;
  memoryBudget?: string;
  json?: boolean;
}

/**
 * Option values as commander gives them when the user sets none (shared with `demo`). fdr, minShared
 * and minClusterSize are DETECT_DEFAULTS' values, spelled here so that start-up does not load the
 * engine (detect.test.ts checks they agree).
 */
export const DETECT_CLI_DEFAULTS: Omit<DetectCliOptions, 'out'> = {
  window: '60', fdr: '0.001', minShared: '2', minClusterSize: '3', fastRepost: '60', minParticipation: '2', edgeWeightQuantile: '0.5',
};

/** The result with only the clusters that are flagged (those without an organic explanation, unless kept). */
function flaggedOnly(result: DetectionResult, explanations: readonly (OrganicExplanation | null)[], keepOrganic: boolean): DetectionResult {
  const keep = result.clusters.map((_, index) => keepOrganic || explanations[index] === null);
  return { ...result, clusters: result.clusters.filter((_, index) => keep[index]), evidence: result.evidence.filter((_, index) => keep[index]) };
}

function parseNumber(option: string, text: string, min: number, max = Infinity): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) throw badOption(option, `"${text}" is not a number in [${min}, ${max}]`);
  return value;
}

function parseWindow(text: string): WindowSetting {
  if (text === 'auto') return 'auto';
  return parseNumber('--window', text, 0) * 1000;
}

export function parseTraces(text: string | undefined): TraceName[] {
  if (text === undefined || text === 'all') return [...DEFAULT_TRACES];
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (!(TRACE_NAMES as readonly string[]).includes(name)) throw badOption('--traces', `"${name}" is not a trace; choose from ${TRACE_NAMES.join(', ')}`);
  }
  return names as TraceName[];
}

function detectOptions(options: DetectCliOptions, defaults: Readonly<DetectOptions>, config: Config): Partial<DetectOptions> {
  return {
    window: parseWindow(options.window),
    fdr: parseNumber('--fdr', options.fdr, 0, 1),
    minShared: parseNumber('--min-shared', options.minShared, 1),
    cluster: { ...defaults.cluster, minClusterSize: parseNumber('--min-cluster-size', options.minClusterSize, 2), ...(config.leidenSeed === null ? {} : { seed: config.leidenSeed }) },
    ...(options.mergePushes === 'off' && defaults.group !== false ? { group: { ...defaults.group, mergePushes: false } } : {}),
    ...(options.postOccasions === 'off' ? { postOccasions: false } : {}),
  };
}

async function openSource(inputs: readonly string[], options: DetectCliOptions, config: Config, io: CliIo): Promise<{ source: DetectSource; ingest: IngestReport | null }> {
  // Each way in loads only its own modules: a direct read never loads the store engine.
  const storeModules = async () => Promise.all([import('../../store/index.js'), import('../detect/detect-source.js')]);
  if (inputs.length === 0) {
    if (options.db === undefined) throw badOption('INPUT', 'give input files, or --db with a store to read');
    const [{ DuckDbStore }, { storeSource }] = await storeModules();
    return { source: storeSource(await DuckDbStore.open(options.db)), ingest: null };
  }
  const read = {
    rejects: join(options.out, 'rejects.csv'),
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.map === undefined ? {} : { map: options.map }),
    threads: readThreads(options.readThreads),
  };
  let opened: { source: DetectSource; ingest: IngestReport };
  const direct = options.viaStore === true ? null : await import('../detect/direct-source.js');
  const ioDirect = direct === null || await direct.canReadDirectly(inputs, read) ? null : await import('../detect/io-direct.js');
  const archive = ioDirect === null ? null : await ioDirect.ioArchiveInputs(inputs, read);
  if (direct !== null && ioDirect === null) {
    // Formats with a columnar reader skip the store: files straight into typed arrays.
    opened = await direct.readDirectly(inputs, read);
  } else if (ioDirect !== null && archive !== null) {
    // Information Operations archive files: straight into typed columns too.
    opened = await ioDirect.readIoArchive(archive, read);
  } else {
    // Files are read into a throw-away in-memory store; --db, if given as well, is ignored.
    const [{ DuckDbStore }, { storeSource }] = await storeModules();
    const store = await DuckDbStore.open(':memory:', { tempDirectory: join(tmpdir(), 'lockstep-spill') });
    opened = { source: storeSource(store), ingest: await ingestInto(store, inputs, read, config.progress && options.json !== true) };
  }
  if (options.json !== true) io.err(describeIngest(opened.ingest));
  return opened;
}

export function registerDetect(program: Command, config: Config, io: CliIo): void {
  program.command('detect')
    .description('Find clusters of accounts acting in lockstep; writes accounts.csv, clusters.json, edges.csv, network.gexf/.graphml, summary.json')
    .argument('[inputs...]', 'input files (any format ingest reads); or use --db')
    .requiredOption('--out <dir>', 'output directory')
    .option('--db <path>', 'read an existing store instead of files')
    .option('--traces <list>', `comma-separated traces, or "all" (default: all the data supports except co-domain)`)
    .option('--window <seconds|auto>', 'co-action window in seconds (widened to the data\'s time precision), or auto (CooRnet estimate per trace)', DETECT_CLI_DEFAULTS.window)
    .option('--fdr <q>', 'false discovery rate of the null-model test of each pair', DETECT_CLI_DEFAULTS.fdr)
    .option('--min-shared <n>', 'distinct shared objects a pair needs before it can count', DETECT_CLI_DEFAULTS.minShared)
    .option('--min-cluster-size <n>', 'smallest cluster reported', DETECT_CLI_DEFAULTS.minClusterSize)
    .option('--fast-repost <seconds>', 'a repost this soon after the original is "fast"', DETECT_CLI_DEFAULTS.fastRepost)
    .option('--platform <name...>', 'only these platforms')
    .addOption(new Option('--format <format>', 'force the input format').choices(FORMAT_NAMES))
    .option('--map <mapping>', 'column mapping for generic CSV/JSONL inputs')
    .addOption(new Option('--compat <tool>', 'reproduce another tool exactly').choices(['coortweet']))
    .option('--min-participation <n>', 'with --compat coortweet: CooRTweet min_participation', DETECT_CLI_DEFAULTS.minParticipation)
    .option('--edge-weight-quantile <q>', 'with --compat coortweet: CooRTweet edge_weight', DETECT_CLI_DEFAULTS.edgeWeightQuantile)
    .option('--full-network', 'write every significant edge to edges.csv/network.*, not only those between flagged accounts')
    .option('--max-pairs-in-memory <n>', 'co-action pairs held in memory per trace before partitions spill to temp files (default: no limit)')
    .option('--memory-budget <size>', 'RAM the co-action pair stage may hold (e.g. 512M, 2G); beyond it pair partitions spill to a temp dir under --out (removed after) and are tested one at a time (default: no limit)')
    .addOption(new Option('--read-threads <n>', 'threads reading a CooRTweet file: auto (two when a core is idle at the start), 1 or 2').choices(READ_THREAD_CHOICES).default('auto'))
    .option('--via-store', 'read files through the embedded store even where a direct columnar reader exists (CooRTweet, Information Operations archive CSVs): slower; for checking one path against the other')
    .option('--keep-organic', 'also flag clusters with an organic explanation (syndicated feeds, fan communities)')
    .addOption(new Option('--merge-pushes <on|off>', 'the group test\'s merge of groups that met once each (checking what it buys)').choices(['on', 'off']).hideHelp())
    .addOption(new Option('--post-occasions <on|off>', 'the pair test counts one post\'s several keys of a trace (a tweet\'s hashtags) as one occasion (on, the default); off counts shared keys, as the distributed coordinator does').choices(['on', 'off']))
    .option('--no-push-joiners', 'do not recruit accounts that joined a flagged cluster\'s exclusive push (a rare object only the cluster and they touched, within 15 min of a member; evidence in push-joiners.json)')
    .option('--no-expand', 'do not recruit accounts into flagged clusters by account signals (creation burst, client, handle template and a behavioural tie; recruits go to recruited.csv and expansion.json)')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText('after', `\nTraces:\n${TRACE_NAMES.map((name) => `  ${name.padEnd(17)} ${TRACE_DESCRIPTIONS[name]}`).join('\n')}`)
    .action(async (inputs: string[], options: DetectCliOptions) => runDetect(inputs, options, config, io));
}

/** The detect command's work, shared with `demo`. */
export async function runDetect(inputs: readonly string[], options: DetectCliOptions, config: Config, io: CliIo): Promise<void> {
  await mkdir(options.out, { recursive: true });
  await rm(join(options.out, 'rejects.csv'), { force: true });
  // The previous run's summary goes first: it is written last, so it marks a finished run (writeSummary).
  await rm(join(options.out, 'summary.json'), { force: true });
  // A bad --memory-budget / --max-pairs-in-memory fails before any input is read.
  if (options.memoryBudget !== undefined || options.maxPairsInMemory !== undefined) (await import('../detect/spill-budget.js')).pairBudget(options);
  if (options.compat === 'coortweet') {
    const { runCoortweetCompat } = await import('./detect-compat.js');
    await runCoortweetCompat(inputs, options, io);
    return;
  }
  const started = performance.now();
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string): void => { const now = performance.now(); timings[name] = Math.round(now - mark) / 1000; mark = now; };
  const { source, ingest } = await openSource(inputs, options, config, io);
  lap('ingest_seconds');
  // Large inputs: a second thread for the group test and the push joiners boots while the traces load (src/cli/detect/detect-thread.ts).
  const threads = await import('../detect/detect-thread.js');
  const helper = threads.wantsDetectThread(ingest?.read ?? 0) ? threads.startDetectThread() : null;
  const bar = progressBar(config.progress && options.json !== true);
  try {
    const traces = parseTraces(options.traces);
    const exportOptions = { fastRepostMs: parseNumber('--fast-repost', options.fastRepost, 0) * 1000, platforms: options.platform ?? [] };
    const loaded = await source.loadTraces(traces, exportOptions, (stage) => bar.update(stage, 0), helper?.keyTimeHelper);
    lap('load_seconds');
    const thread = helper !== null && await helper.ready ? helper : null;
    const [{ DETECT_DEFAULTS, detectCoordination }, { describeSpill, openPairSpill }] = await Promise.all([import('../../detect/pipeline.js'), import('../detect/spill-budget.js')]);
    // --memory-budget / --max-pairs-in-memory: pair partitions spill to a temp dir under --out (src/cli/detect/spill-budget.ts).
    const pairSpill = openPairSpill(options.out, options);
    const spill = pairSpill?.sink ?? null;
    let result: DetectionResult;
    try {
      const spilling = pairSpill === null ? {} : { pairSink: pairSpill.sink, maxPairsInMemory: pairSpill.maxPairsInMemory };
      // Traces too big to copy keep the group test here, in the pipeline's own order (its union made after the kernels).
      const elsewhere = thread === null || !thread.takes(loaded.traces) ? {} : { startGroupTest: thread.startGroupTest };
      result = detectCoordination({ actorCount: loaded.actorIds.length, traces: loaded.traces }, { ...detectOptions(options, DETECT_DEFAULTS, config), ...spilling, ...elsewhere }, (stage) => bar.update(stage, 0.5));
    } finally {
      spill?.close();
    }
    lap('detect_seconds');
    const facts = (await source.clustersFacts(result.clusters.map((cluster, index) => ({
      members: cluster.members, traces: cluster.traces, exclusivity: result.evidence[index]?.exclusivity ?? 0,
    })))).map((entry, index) => ({ ...entry, ownSpanMs: result.evidence[index]?.ownSpanMs ?? 0, medianShared: result.clusters[index]?.medianShared ?? 0 }));
    // An outlet's feeds beside a flagged cluster are set aside into a cluster of their own (syndication).
    const { SET_ASIDE_DEFAULTS, setAsideFeeds } = await import('../../detect/explain.js');
    const clusterSettings = { ...DETECT_DEFAULTS.cluster, ...detectOptions(options, DETECT_DEFAULTS, config).cluster };
    const separated = setAsideFeeds(result, loaded.traces, facts, facts.map((entry) => organicExplanation(entry)), {
      minClusterSize: clusterSettings.minClusterSize ?? SET_ASIDE_DEFAULTS.minClusterSize,
      minAttachment: clusterSettings.minAttachment ?? SET_ASIDE_DEFAULTS.minAttachment,
      minOccasions: clusterSettings.minOccasions ?? SET_ASIDE_DEFAULTS.minOccasions,
    });
    result = { ...result, clusters: separated.clusters, evidence: separated.evidence };
    const explanations = separated.explanations;
    const flagged = flaggedOnly(result, explanations, options.keepOrganic === true);
    const clusters = await clusterReports(source, result, loaded.actorIds, loaded.textSamples, explanations, options.keepOrganic === true, separated.setAside);
    const summary = {
      input_rows: ingest?.read ?? await source.actionCount(),
      rejected_rows: ingest?.rejected ?? 0,
      rejects_file: ingest?.rejectsFile ?? null,
      accounts: loaded.actorIds.length,
      edges: result.graph.size,
      network_edges: 0,
      clusters: flagged.clusters.length,
      organic_clusters_not_flagged: result.clusters.length - flagged.clusters.length,
      flagged_accounts: flagged.clusters.reduce((sum, cluster) => sum + cluster.members.length, 0),
      feeds_set_aside: separated.setAside.map((entry) => ({
        from_cluster: entry.from, to_cluster: entry.to, domain: entry.domain, accounts: entry.members.length, reason: entry.reason,
      })),
      traces: result.traces.map((trace) => ({
        trace: trace.trace, events: trace.events, objects: trace.keys, window_seconds: trace.windowMs / 1000, window: trace.window,
        time_precision: trace.precision, warning: trace.warning, pairs_tested: trace.pairsTested, pairs_significant: trace.pairsSignificant,
        objects_capped: trace.kernel.keysCapped, spilled_chunks: trace.kernel.spilledChunks,
      })),
      traces_without_data: loaded.missing,
      ...(pairSpill === null ? {} : { pair_spill: describeSpill(pairSpill) }),
      timings: timings,
    };
    // Expansion by account signals, kept apart from behaviour members (src/cli/detect/expansion-stage.ts).
    const { runExpansion, writeExpansionOutputs } = await import('../detect/expansion-stage.js');
    const expansion = options.expand === false ? null : await runExpansion({ source, actorIds: loaded.actorIds, traces: loaded.traces, clusters: flagged.clusters });
    lap('expand_seconds');
    // The push joiners' test reads traces and clusters only: on the thread, it runs while the outputs are written.
    const { finishPushJoinerStage, startPushJoiners } = await import('../detect/push-joiner-stage.js');
    const joinerInput = { dir: options.out, source, actorIds: loaded.actorIds, traces: loaded.traces, clusters: flagged.clusters, recruited: expansion?.recruits.map((recruit) => recruit.account) ?? [] };
    const joining = thread === null ? null : startPushJoiners(joinerInput, options.pushJoiners === false, {}, thread.pushJoiners);
    joining?.catch(() => undefined);
    summary.network_edges = await writeDetectionOutputs(options.out, flagged, loaded.actorIds, clusters, options.fullNetwork === true);
    const expanded = await writeExpansionOutputs(options.out, expansion, flagged.clusters, loaded.actorIds, options.expand === false ? 'turned off (--no-expand)' : null);
    Object.assign(summary, { recruited_accounts: expanded.recruited_accounts, expansion: expanded });
    lap('output_seconds');
    const joined = await finishPushJoinerStage(joinerInput, await (joining ?? startPushJoiners(joinerInput, options.pushJoiners === false)));
    Object.assign(summary, { recruited_accounts: expanded.recruited_accounts + joined.recruited_accounts, push_joiners: joined });
    lap('push_joiners_seconds');
    timings['total_seconds'] = Math.round(performance.now() - started) / 1000;
    await writeSummary(options.out, summary);
    bar.done();
    if (options.json === true) io.out(JSON.stringify(summary));
    else io.out(describeDetection(summary, clusters.filter((cluster) => cluster.flagged), options.out));
  } finally {
    bar.done();
    helper?.stop();
    await source.close();
  }
  // --db: keep the run in the store for the workspace (lockstep serve).
  if (options.db !== undefined && inputs.length === 0) await (await import('./detect-save.js')).saveDetectionRun(options.db, options.out, options.json === true, io);
}

function describeDetection(summary: { clusters: number; flagged_accounts: number; accounts: number; traces: { trace: string; window: string; pairs_significant: number }[]; timings: Record<string, number> }, clusters: readonly { id: number; size: number; score: number; traces: { trace: string }[]; top_shared_objects: { object: string }[] }[], out: string): string {
  const lines = [`${summary.clusters} coordinated clusters, ${summary.flagged_accounts} of ${summary.accounts} accounts flagged (outputs in ${out})`];
  for (const trace of summary.traces) lines.push(`  ${trace.trace.padEnd(17)} ${String(trace.pairs_significant).padStart(7)} significant pairs; window ${trace.window}`);
  for (const cluster of clusters.slice(0, 20)) {
    lines.push(`  cluster ${cluster.id}: ${cluster.size} accounts, score ${cluster.score.toFixed(2)}, via ${cluster.traces.map((t) => t.trace).join(', ')}; e.g. ${cluster.top_shared_objects[0]?.object.slice(0, 80) ?? ''}`);
  }
  if (clusters.length > 20) lines.push(`  ... and ${clusters.length - 20} more in clusters.json`);
  lines.push(`  ${summary.timings['total_seconds'] ?? 0}s in all`);
  return lines.join('\n');
}
