/**
 * `lockstep stream`: continuous detection over live activity — a Jetstream JSONL file replayed at
 * a chosen speed, a Jetstream WebSocket, or (with --nats) a NATS JetStream subject — with alerts
 * as JSON lines on stdout, to a webhook, and as cases in a workspace store.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { parseTraces } from './detect.js';
import { badOption } from '../../model/index.js';
import { RejectsFile } from '../../ingest/rejects-file.js';
import { DEFAULT_STREAM_TRACES, STREAM_TRACES } from '../../stream/extract.js';
import type { StreamTrace } from '../../stream/extract.js';
import type { EmittedAlert, RunSummary } from '../../stream/runner.js';
import type { CliIo } from '../io.js';
import { registerStreamNats } from './stream-nats.js';

interface StreamCliOptions {
  ws?: string;
  speed: string;
  window: string;
  horizon: string;
  lateness: string;
  every: string;
  traces?: string;
  fdr: string;
  minShared: string;
  minMembers: string;
  growBy: string;
  webhook?: string;
  casesDb?: string;
  rejects?: string;
  stats?: boolean;
}

function seconds(option: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) throw badOption(option, `"${text}" is not a number of seconds >= ${min}`);
  return value * 1000;
}

function count(option: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw badOption(option, `"${text}" is not a whole number >= ${min}`);
  return value;
}

function streamTraces(text: string | undefined): StreamTrace[] {
  if (text === undefined || text === 'all') return [...DEFAULT_STREAM_TRACES];
  const names = parseTraces(text);
  const unsupported = names.filter((name) => !(STREAM_TRACES as readonly string[]).includes(name));
  if (unsupported.length > 0) throw badOption('--traces', `${unsupported.join(', ')} cannot be streamed (they need the whole corpus); choose from ${STREAM_TRACES.join(', ')}`);
  return names as StreamTrace[];
}

async function* fileLines(path: string): AsyncIterable<string> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  yield* lines;
}

/**
 * Jetstream frames as lines. A dropped connection is reopened from the last cursor (time_us),
 * up to 5 times in a row; a normal close (1000) by the server ends the stream.
 */
async function* webSocketLines(url: string, io: CliIo): AsyncIterable<string> {
  let cursor: number | null = null;
  const { default: WebSocket } = await import('ws');
  for (let attempt = 0; attempt < 5; attempt++) {
    const target = new URL(url);
    if (cursor !== null) target.searchParams.set('cursor', String(cursor));
    const socket = new WebSocket(target);
    const queue: string[] = [];
    let wake: (() => void) | null = null;
    let closed = false;
    let normal = false;
    socket.on('message', (data) => {
      queue.push(String(data));
      wake?.();
    });
    socket.on('close', (code) => { closed = true; normal = code === 1000; wake?.(); });
    socket.on('error', (error) => { io.err(`lockstep stream: ${target.host}: ${error.message}`); });
    let got = false;
    while (!closed || queue.length > 0) {
      const line = queue.shift();
      if (line === undefined) {
        await new Promise<void>((resolve) => { wake = resolve; });
        wake = null;
        continue;
      }
      got = true;
      const match = /"time_us":(\d+)/.exec(line);
      if (match !== null) cursor = Number(match[1]);
      yield line;
    }
    if (normal) return;
    if (got) attempt = 0;
    io.err(`lockstep stream: connection to ${target.host} closed; reconnecting${cursor === null ? '' : ` from cursor ${cursor}`}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000 * (attempt + 1)));
  }
}

function describe(summary: RunSummary): string {
  const { state } = summary;
  return `${summary.lines} lines, ${summary.actions} actions, ${summary.events} trace events, ${summary.rejected} rejected, ${summary.late} late, ${summary.duplicates} duplicates; `
    + `${summary.detections} detections, ${summary.clusters} clusters now, ${summary.alerts} alerts; state: ${state.actors} accounts, ${state.keys} objects, `
    + `${state.pairKeyRecords} pair-object records, ${state.bufferedEvents} events in window; ${(summary.wallMs / 1000).toFixed(1)} s`;
}

export function registerStream(program: Command, _config: Config, io: CliIo): void {
  registerStreamNats(program, io);
  program.command('stream')
    .description('Continuous detection over live activity (Jetstream JSONL file replay or WebSocket); alerts as JSON lines on stdout')
    .argument('[file]', 'Jetstream JSONL file to replay (or use --ws)')
    .option('--ws <url>', 'Jetstream WebSocket URL (e.g. wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post)')
    .option('--speed <Nx|max>', 'replay speed of a file: a multiple of real time (10x) or max', 'max')
    .option('--window <seconds>', 'co-action window', '60')
    .option('--horizon <seconds>', 'evidence horizon: co-action records idle this long expire (memory is bounded by it)', '21600')
    .option('--lateness <seconds>', 'events up to this late are put back in time order', '5')
    .option('--every <seconds>', 're-cluster after this much event time or wall time', '5')
    .option('--traces <list>', `comma-separated traces (default: ${DEFAULT_STREAM_TRACES.join(', ')})`)
    .option('--fdr <q>', 'false discovery rate of the null-model test of each pair', '0.001')
    .option('--min-shared <n>', 'distinct shared objects a pair needs before it can count', '2')
    .option('--min-members <n>', 'alert when a cluster has at least this many accounts', '3')
    .option('--grow-by <n>', 'alert again when a cluster has this many more accounts than at its last alert', '2')
    .option('--webhook <url>', 'also POST each alert as JSON to this URL')
    .option('--cases-db <path>', 'also open a case per new cluster (a note per growth) in this workspace store')
    .option('--rejects <file>', 'write unreadable lines here (file, line, reason)')
    .option('--stats', 'print the state size after every detection on stderr')
    .action(async (file: string | undefined, options: StreamCliOptions) => {
      if ((file === undefined) === (options.ws === undefined)) throw badOption('INPUT', 'give a Jetstream JSONL file or --ws URL (one of them)');
      // The stream engine and the sinks load when the command runs, not with every command.
      const [{ parseSpeed, runStream }, { caseSink, webhookSink }] = await Promise.all([import('../../stream/runner.js'), import('./stream-sinks.js')]);
      const speed = parseSpeed(options.speed);
      if (speed === null) throw badOption('--speed', `"${options.speed}" is not a speed; write e.g. 10x, 1x, 0.5x or max`);
      const minMembers = count('--min-members', options.minMembers, 2);
      const windowMs = seconds('--window', options.window, 0);
      const detector = {
        windowMs, horizonMs: Math.max(windowMs, seconds('--horizon', options.horizon, 1)), latenessMs: seconds('--lateness', options.lateness, 0),
        traces: streamTraces(options.traces), fdr: Number(options.fdr), minShared: count('--min-shared', options.minShared, 1),
        cluster: { minClusterSize: minMembers },
      };
      const webhook = options.webhook === undefined ? null : webhookSink(options.webhook, (text) => io.err(text));
      const cases = options.casesDb === undefined ? null : await caseSink(options.casesDb);
      const rejects = options.rejects === undefined ? null : new RejectsFile(options.rejects);
      const where = file ?? options.ws ?? '';
      let rejected = 0;
      try {
        const summary = await runStream(file === undefined ? webSocketLines(where, io) : fileLines(file), where, {
          speed: file === undefined ? 'max' : speed, everyMs: seconds('--every', options.every, 0.01), detector,
          alerts: { minMembers, growBy: count('--grow-by', options.growBy, 1) },
        }, {
          alert: async (alert: EmittedAlert) => {
            io.out(JSON.stringify(alert));
            await webhook?.(alert);
            await cases?.alert(alert);
          },
          reject: async (source, line, reason, lineNumber) => {
            rejected++;
            if (rejected <= 3) io.err(`lockstep stream: ${reason}`);
            await rejects?.write({ file: source, line: lineNumber, reason, raw: line });
          },
          ...(options.stats === true ? { detected: (summary: RunSummary) => io.err(describe(summary)) } : {}),
        });
        io.err(`lockstep stream: ${describe(summary)}${summary.rejected > 0 ? `; rejected lines ${options.rejects === undefined ? 'not kept (use --rejects FILE)' : `in ${options.rejects}`}` : ''}`);
      } finally {
        await rejects?.close();
        await cases?.close();
      }
    });
}
