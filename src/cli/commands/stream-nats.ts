/**
 * Scale-out commands over NATS JetStream: `stream-publish` (file → partitioned event batches),
 * `stream-worker` (durable consumer of some partitions → partials), `stream-coordinate`
 * (partials → clusters as JSON on stdout).
 */
import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import type { NatsConnection } from 'nats';
import { badOption } from '../../model/index.js';
import { DEFAULT_STREAM_TRACES } from '../../stream/extract.js';
import { connectOptions } from '../../stream/nats/connect-options.js';
import { parseRetention } from '../../stream/nats/retention-duration.js';
import type { SliceOut } from '../../stream/nats/continuous-work.js';
import type { FinishPool } from '../../stream/nats/finish-pool.js';
import type { CliIo } from '../io.js';

interface NatsCliOptions { nats: string; job: string; partitions: string }

function whole(option: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw badOption(option, `"${text}" is not a whole number >= ${min}`);
  return value;
}

function checkJob(job: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(job)) throw badOption('--job', `"${job}" must be 1-64 letters, digits, _ or -`);
  return job;
}

/** The NATS client and the job code load when a command runs, not with every command. */
const jobs = async () => import('../../stream/nats/jobs.js');

async function withNats<T>(servers: string, run: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const { connect } = await import('nats');
  const nc = await connect(connectOptions(servers.split(',')));
  try {
    return await run(nc);
  } finally {
    await nc.drain().catch(() => nc.close());
  }
}

/** The process's CPU seconds (user + system, every thread) since `started`. */
const cpuSince = (started: NodeJS.CpuUsage): string => {
  const used = process.cpuUsage(started);
  return ((used.user + used.system) / 1e6).toFixed(2);
};

/** `--retention` as the max age of both streams a job writes to; none given: the streams' defaults. */
interface MaxAge { maxAgeMs?: number }

function storageRetention(text: string | undefined): MaxAge {
  if (text === undefined) return {};
  const ms = parseRetention(text);
  if (ms === null) throw badOption('--retention', `"${text}" is not a duration of a second or more; write e.g. 90s, 45m, 24h or 7d`);
  return { maxAgeMs: ms };
}

const common = (command: Command): Command => command
  .requiredOption('--nats <urls>', 'comma-separated NATS server URLs (give every node of the cluster)')
  .requiredOption('--job <id>', 'job id (names subjects, consumers and partials)')
  .option('--partitions <n>', 'key partitions', '16');

export function registerStreamNats(program: Command, io: CliIo): void {
  common(program.command('stream-publish'))
    .description('Publish a Jetstream JSONL file to NATS JetStream as key-partitioned event batches (R3 stream)')
    .argument('<file>', 'Jetstream JSONL file')
    .option('--batch <n>', 'events per message', '2000')
    .option('--replicas <n>', 'stream replicas', '3')
    .option('--publisher <i>', 'this publisher\'s index when several processes publish the job, each a disjoint share of the input (workers take --publishers)', '0')
    .option('--threads <n>', 'publish on n threads, each a publisher of the job with a share of the file\'s accounts (workers learn n from the batches)', '1')
    .option('--slice <seconds>', 'a continuous job: cut event time into slices this long, a slice marker after each (workers take --horizon, the coordinator --follow; one publisher)')
    .option('--speed <Nx|max>', 'with --slice: replay at a multiple of real time (10x) or max', 'max')
    .option('--horizon <seconds>', 'with --slice: the duplicate check remembers actions this far behind the latest (memory bounded by it, not by the job\'s length) and actions older than the open slice\'s end minus it are dropped as late (no later slice holds them); at least every worker\'s --horizon (workers refuse a shorter one). Not given: every action remembered')
    .option('--retention <duration>', 'the events and partials streams drop messages older than this (90s, 45m, 24h, 7d; existing streams updated to it): a safety net for jobs never coordinated, and more than a continuous job\'s horizon. Not given: 24h for new streams and streams with no limit, an existing limit kept')
    .action(async (file: string, options: NatsCliOptions & { batch: string; replicas: string; publisher: string; threads: string; slice?: string; speed: string; horizon?: string; retention?: string }) => {
      const job = checkJob(options.job);
      const maxAge = storageRetention(options.retention);
      const publisher = whole('--publisher', options.publisher, 0);
      if (publisher >= 2 ** 16) throw badOption('--publisher', `${publisher} must be below 65536`);
      const threads = whole('--threads', options.threads, 1);
      if (threads > 1 && publisher !== 0) throw badOption('--threads', 'several threads are publishers 0 … n-1 of the job: give --publisher or --threads, not both');
      if (threads >= 2 ** 16) throw badOption('--threads', `${threads} must be below 65536`);
      if (options.horizon !== undefined && options.slice === undefined) throw badOption('--horizon', 'is for a continuous job: give --slice too');
      if (options.slice !== undefined) {
        if (publisher !== 0 || threads !== 1) throw badOption(publisher !== 0 ? '--publisher' : '--threads', 'a continuous job (--slice) has one publisher');
        await publishContinuous(file, job, options, maxAge, io);
        return;
      }
      const [{ ensureJobStorage }, { publishShare }, { publishInThreads }] = await Promise.all([jobs(), import('../../stream/nats/publish-share.js'), import('../../stream/nats/publish-threads.js')]);
      const share = { file, job, partitions: whole('--partitions', options.partitions, 1), batchSize: whole('--batch', options.batch, 1) };
      const started = process.cpuUsage();
      const sent = await withNats(options.nats, async (nc) => {
        const storage = ensureJobStorage(nc, whole('--replicas', options.replicas, 1), maxAge, maxAge);
        // Threads start (import, connect) while the streams are made; one thread: this one, on this connection.
        if (threads > 1) return publishInThreads(options.nats.split(','), share, threads, storage);
        await storage;
        return publishShare(nc, { ...share, publisher, of: 1 });
      });
      for (const { problem } of sent.problems) io.err(`lockstep stream-publish: ${problem}`);
      const as = publisher > 0 ? ` as publisher ${publisher}` : threads > 1 ? ` as ${threads} publishers (threads)` : '';
      io.err(`lockstep stream-publish: ${sent.actions} actions, ${sent.events} events in ${sent.batches} batches to job ${job}${as}; ${sent.rejected} lines rejected; ${cpuSince(started)} s CPU after start-up (all threads)`);
    });

  common(program.command('stream-worker'))
    .description('Work key partitions of a job (durable JetStream consumers) into pair-weight partials (with --horizon: a continuous job, a partial over the horizon every slice)')
    .option('--index <i>', 'this worker\'s index', '0')
    .option('--of <n>', 'workers in the job (partition p goes to worker p mod n)', '1')
    .option('--window <seconds>', 'co-action window', '60')
    .option('--ack-wait <seconds>', 'a dead worker\'s messages are redelivered after this long', '5')
    .option('--publishers <n>', 'publishers of the job (stream-publish --publisher 0 … n-1); a partition is done at all their end markers', '1')
    .option('--horizon <seconds>', 'a continuous job (stream-publish --slice): keep each partition\'s events this long and store a partial over them at every slice')
    .option('--checkpoint-every <slices>', 'a continuous job: store each partition\'s checkpoint (its labels and keys, no events) every this many slices, so a replacement worker reads the events from a horizon (and up to this many slices) before the slice it must make instead of from the job\'s first batch, which the events stream\'s max age drops on a long job; 0: none', '10')
    .option('--no-warm-up', 'a bounded job: skip working a small synthetic partition at start-up (it lets the job\'s events meet optimised code)')
    .option('--partials-compression <gzip|none>', 'a bounded job: store partials gzipped (run-length only, 0.6-0.7 µs of a worker\'s CPU an event), or not: none skips gzip and gunzip (about 0.3 of the coordinator\'s), but storing 1.7× the bytes costs the worker\'s store and the NATS servers more: no gain with all on one machine (docs/streaming.md, Sizing); for servers with CPU to spare', 'gzip')
    .option('--finish-threads <n>', 'a bounded job: threads that finish this worker\'s partitions (the kernel, encode, gzip) once their end markers are in, a second at once only while a core stays idle; the main thread receives and stores meanwhile. 0: on the main thread, one after another (the default: on the shared 2-core bench machine threads cost the workers 10-35% more CPU and shortened no job; for machines with cores to spare, docs/streaming.md, Sizing)', '0')
    .option('--timeline', 'a bounded job: print when each partition reaches each step of its end (complete, finish, kernel, packed, stored; ms since the epoch, and the process\'s CPU seconds so far, all its threads), for bench/stream.mjs TIMELINE=1')
    .action(async (options: NatsCliOptions & { index: string; of: string; window: string; ackWait: string; publishers: string; horizon?: string; checkpointEvery: string; warmUp: boolean; partialsCompression: string; finishThreads: string; timeline?: boolean }) => {
      const job = checkJob(options.job);
      const partitions = whole('--partitions', options.partitions, 1);
      const of = whole('--of', options.of, 1);
      const index = whole('--index', options.index, 0);
      const publishers = whole('--publishers', options.publishers, 1);
      if (publishers > 2 ** 16) throw badOption('--publishers', `${publishers} must be at most 65536`);
      if (index >= of) throw badOption('--index', `${index} must be below --of ${of}`);
      const compression = options.partialsCompression;
      if (compression !== 'gzip' && compression !== 'none') throw badOption('--partials-compression', `${compression} must be gzip or none`);
      const mine = Array.from({ length: partitions }, (_, p) => p).filter((p) => p % of === index);
      if (options.horizon !== undefined) {
        if (publishers !== 1) throw badOption('--publishers', 'a continuous job (--horizon) has one publisher');
        await followContinuous(options, { job, mine, index, windowMs: whole('--window', options.window, 0) * 1000, horizonMs: whole('--horizon', options.horizon, 1) * 1000, checkpointEvery: whole('--checkpoint-every', options.checkpointEvery, 0) }, io);
        return;
      }
      const { workPartition } = await jobs();
      if (options.warmUp) {
        // Before the consumers exist, so a job published once they do meets optimised code.
        const before = process.cpuUsage();
        (await import('../../stream/nats/warm-up.js')).warmUpWorker({ traces: DEFAULT_STREAM_TRACES, windowMs: whole('--window', options.window, 0) * 1000, maxPartnersPerEvent: 32 });
        const spent = process.cpuUsage(before);
        io.err(`worker ${index}: warm-up ${((spent.user + spent.system) / 1e6).toFixed(2)} s CPU`);
      }
      const finishThreads = Math.min(whole('--finish-threads', options.finishThreads, 0), mine.length);
      // Started (and warmed up, each thread on its own) before the consumers exist, as the main thread is.
      const finishPool = finishThreads > 0 ? await startFinishPool(finishThreads, whole('--window', options.window, 0) * 1000, options.warmUp, index, io) : undefined;
      const started = process.cpuUsage();
      let events = 0;
      try {
        await withNats(options.nats, async (nc) => {
          await Promise.all(mine.map(async (partition) => {
            const partial = await workPartition(nc, partition, {
              job, traces: DEFAULT_STREAM_TRACES, windowMs: whole('--window', options.window, 0) * 1000, maxPartnersPerEvent: 32,
              ackWaitMs: Number(options.ackWait) * 1000, publishers, compression, finishPool, onProgress: (p, batches) => io.err(`worker ${index}: partition ${p}: ${batches} batches`),
              onConsumerLost: (p, lost, made) => io.err(`worker ${index}: partition ${p}: consumer ${lost} lost, replaying from ${made}`),
              ...(options.timeline === true ? { onStage: (p: number, stage: string) => io.err(`worker ${index}: timeline ${Date.now()} partition ${p} ${stage} cpu ${processCpuSeconds().toFixed(3)}`) } : {}),
            });
            events += partial.events;
            io.err(`worker ${index}: partition ${partition} done: ${partial.events} events, ${partial.duplicates} duplicates ignored`);
          }));
        });
      } finally {
        await finishPool?.close();
      }
      const used = process.cpuUsage(started);
      io.err(`worker ${index}: ${events} events, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU after start-up`);
    });

  common(program.command('stream-coordinate'))
    .description('Merge a job\'s partials and cluster them; prints clusters (account ids) as JSON (with --follow: a continuous job, alerts slice by slice as JSON lines)')
    .option('--timeout <seconds>', 'wait this long for every partition\'s partial', '600')
    .option('--keep-partials', 'leave the job\'s partials in the partials stream (by default they are removed once the result is out)')
    .option('--keep-events', 'leave the job\'s events in the events stream (by default they are removed once the result is out, or after a continuous job\'s last slice)')
    .option('--follow', 'a continuous job (stream-publish --slice): merge every slice as its partials come and print alerts as JSON lines (lockstep stream\'s format)')
    .option('--fdr <q>', 'with --follow: false discovery rate of the null-model test of each pair', '0.001')
    .option('--min-shared <n>', 'with --follow: distinct shared objects a pair needs before it can count', '2')
    .option('--min-members <n>', 'with --follow: alert when a cluster has at least this many accounts', '3')
    .option('--grow-by <n>', 'with --follow: alert again when a cluster has this many more accounts than at its last alert', '2')
    .option('--webhook <url>', 'with --follow: also POST each alert as JSON to this URL')
    .option('--cases-db <path>', 'with --follow: also open a case per new cluster (a note per growth) in this workspace store')
    .option('--skip-behind', 'with --follow: when later slices are complete already, merge the newest and skip the rest (bounded delay under overload)')
    .option('--timeline', 'a bounded job: print when each partition\'s partial is collected, when all are and when the result is out (stderr; ms since the epoch and the process\'s CPU seconds so far, all its threads), for bench/stream.mjs TIMELINE=1')
    .option('--assemble-thread', 'a bounded job: sum about half of the traces\' pairs on a second thread once the last partial is in (their columns moved to it as partials come); the same result, sooner where a core is idle at the job\'s end')
    .action(async (options: NatsCliOptions & FollowCliOptions & { timeout: string; keepPartials?: boolean; keepEvents?: boolean; follow?: boolean; timeline?: boolean; assembleThread?: boolean }) => {
      const job = checkJob(options.job);
      const partitions = whole('--partitions', options.partitions, 1);
      if (options.follow === true) {
        await coordinateContinuous(options, job, partitions, io);
        return;
      }
      const [{ collectPartials, purgeJobEvents, purgePartials, removeJobConsumers }, { assemblePartials, jobResultSummary }, { LabelJoin }, { AssembleHelper }] = await Promise.all([
        jobs(), import('../../stream/distributed.js'), import('../../stream/label-join.js'), import('../../stream/assemble-helper.js'),
      ]);
      // `coordinator: timeline <ms since the epoch> <step> cpu <s>`, as stream-worker --timeline.
      const timeline = options.timeline === true ? (step: string) => io.err(`coordinator: timeline ${Date.now()} ${step} cpu ${processCpuSeconds().toFixed(3)}`) : null;
      await withNats(options.nats, async (nc) => {
        // Labels joined as each partial comes (label-join.ts): after the last, only its own are left.
        const join = new LabelJoin();
        const helper = options.assembleThread === true ? new AssembleHelper() : null;
        let result: ReturnType<typeof assemblePartials>;
        try {
          const partials = await collectPartials(nc, job, partitions, Number(options.timeout) * 1000, (partition, partial) => {
            join.add(partition, partial.actors);
            helper?.add(partial);
            timeline?.(`partition ${partition} collected`);
          });
          timeline?.('collected');
          const assembleOptions = { traces: DEFAULT_STREAM_TRACES, labels: join };
          result = helper === null ? assemblePartials(partials, assembleOptions) : await helper.assemble(partials, assembleOptions);
        } finally {
          await helper?.close();
        }
        io.out(JSON.stringify(jobResultSummary(job, result)));
        timeline?.('result');
        // Only once the result is out: a coordinator that dies before can be run again.
        if (options.keepPartials !== true) io.err(await purgeReport(() => purgePartials(nc, job), job, 'partial'));
        if (options.keepEvents !== true) io.err(await purgeReport(() => purgeJobEvents(nc, job), job, 'event'));
        // A worker started again on the job needs none: it finds its partial or the collected mark.
        const { removed, of } = await removeJobConsumers(nc, job, partitions);
        io.err(`job ${job}: ${removed} of ${of} consumers removed`);
      });
    });
}

interface FollowCliOptions { skipBehind?: boolean; fdr: string; minShared: string; minMembers: string; growBy: string; webhook?: string; casesDb?: string; timeout: string; keepPartials?: boolean; keepEvents?: boolean }

/** A job's partials or events purged, said on stderr either way: a failure leaves them to the stream's max age. */
function purgeReport(purge: () => Promise<number>, job: string, what: 'partial' | 'event'): Promise<string> {
  return purge().then((removed) => `job ${job}: ${removed} ${what} messages removed`,
    (error: unknown) => `job ${job}: ${what}s not removed now, the stream's max age will (${error instanceof Error ? error.message : String(error)})`);
}

/** `stream-publish --slice`: lines read and parsed one by one, cut into slices of event time, paced by `--speed`. */
async function publishContinuous(file: string, job: string, options: NatsCliOptions & { batch: string; replicas: string; slice?: string; speed: string; horizon?: string }, maxAge: MaxAge, io: CliIo): Promise<void> {
  const sliceMs = Number(options.slice) * 1000;
  if (!(sliceMs > 0)) throw badOption('--slice', `"${options.slice}" is not a positive number of seconds`);
  const horizonMs = options.horizon === undefined ? Infinity : whole('--horizon', options.horizon, 1) * 1000;
  const [{ createInterface }, { Partitioner }, { ensureJobStorage }, { SliceCutter }, { publishSlices }, { parseJetstreamLine }, { parseSpeed }] = await Promise.all([
    import('node:readline'), import('../../stream/partitioner.js'), jobs(), import('../../stream/nats/continuous-work.js'), import('../../stream/nats/continuous.js'),
    import('../../stream/jetstream-line.js'), import('../../stream/runner.js'),
  ]);
  const speed = parseSpeed(options.speed);
  if (speed === null) throw badOption('--speed', `"${options.speed}" is not a speed; write e.g. 10x, 1x, 0.5x or max`);
  const partitioner = new Partitioner({ partitions: whole('--partitions', options.partitions, 1), traces: DEFAULT_STREAM_TRACES, batchSize: whole('--batch', options.batch, 1), seenRetentionMs: horizonMs });
  const cutter = new SliceCutter(partitioner, sliceMs, { horizonMs });
  let rejected = 0, lineNumber = 0;
  await withNats(options.nats, async (nc) => {
    await ensureJobStorage(nc, whole('--replicas', options.replicas, 1), maxAge, maxAge);
    const out: SliceOut[] = [];
    let firstTime = NaN, startWall = 0;
    for await (const line of createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })) {
      lineNumber++;
      if (line.trim() === '') continue;
      const read = parseJetstreamLine(line, () => `${file}:${lineNumber}`);
      if (read.problems.length > 0) {
        if (++rejected <= 3) io.err(`lockstep stream-publish: ${read.problems[0]}`);
        continue;
      }
      for (const action of read.actions) {
        if (speed !== 'max') {
          if (Number.isNaN(firstTime)) {
            firstTime = action.time;
            startWall = performance.now();
          }
          const wait = startWall + (action.time - firstTime) / speed - performance.now();
          if (wait > 1) {
            // Whatever is buffered leaves before the pause (a slice's batches are not held back).
            await publishSlices(nc, job, out.splice(0));
            await new Promise((resolve) => setTimeout(resolve, wait));
          }
        }
        const before = cutter.slice;
        cutter.push(action, out);
        if (out.length >= 64 || cutter.slice !== before) await publishSlices(nc, job, out.splice(0));
      }
    }
    cutter.finish(out);
    await publishSlices(nc, job, out.splice(0));
  });
  io.err(`lockstep stream-publish: ${partitioner.actions} actions, ${partitioner.events} events in ${cutter.slice} slices of ${sliceMs / 1000} s to job ${job}; ${rejected} lines rejected${horizonMs === Infinity ? '' : `, ${cutter.late} actions dropped as older than the horizon`}`);
}

/** The process's CPU seconds so far (user + system, all threads). */
function processCpuSeconds(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
}

/** `stream-worker`'s finishing threads, each warmed up (unless --no-warm-up) before it returns. */
async function startFinishPool(threads: number, windowMs: number, warmUp: boolean, index: number, io: CliIo): Promise<FinishPool> {
  const { FinishPool } = await import('../../stream/nats/finish-pool.js');
  const before = process.cpuUsage();
  const pool = new FinishPool({ threads, traces: DEFAULT_STREAM_TRACES, windowMs, maxPartnersPerEvent: 32, warmUp });
  await pool.ready;
  const spent = process.cpuUsage(before);
  io.err(`worker ${index}: ${threads} finishing thread(s)${warmUp ? `, warmed up: ${((spent.user + spent.system) / 1e6).toFixed(2)} s CPU` : ''}`);
  return pool;
}

/** `stream-worker --horizon`: each of this worker's partitions followed until the job's last slice. */
async function followContinuous(options: NatsCliOptions & { ackWait: string }, job: { job: string; mine: number[]; index: number; windowMs: number; horizonMs: number; checkpointEvery: number }, io: CliIo): Promise<void> {
  const { followPartition } = await import('../../stream/nats/continuous.js');
  const started = process.cpuUsage();
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  let taken = 0, dropped = 0;
  try {
    await withNats(options.nats, async (nc) => {
      await Promise.all(job.mine.map(async (partition) => {
        const work = await followPartition(nc, partition, {
          job: job.job, traces: DEFAULT_STREAM_TRACES, windowMs: job.windowMs, maxPartnersPerEvent: 32, horizonMs: job.horizonMs,
          ackWaitMs: Number(options.ackWait) * 1000, signal: stop.signal, checkpointEvery: job.checkpointEvery,
          onResume: (p, checkpoint, refused) => {
            for (const reason of refused) io.err(`worker ${job.index}: partition ${p}: ${reason}`);
            if (checkpoint !== null) io.err(`worker ${job.index}: partition ${p}: starting from the checkpoint of slice ${checkpoint.slice} (batch ${checkpoint.batches}, ${checkpoint.labels.length} account ids, ${checkpoint.keyTraces.length} keys)`);
          },
          onCheckpoint: (p, slice, bytes, ms) => io.err(`worker ${job.index}: partition ${p}: checkpoint of slice ${slice} stored (${bytes} bytes, ${ms.toFixed(1)} ms)`),
          onSlice: (p, marker, partial, state) => io.err(`worker ${job.index}: partition ${p}: slice ${marker.slice} ${partial === null ? 'already stored' : 'stored'} (${state.size} events held, ${state.dropped} dropped, ${state.accounts} account labels)`),
        });
        taken += work.taken;
        dropped += work.dropped;
        io.err(`worker ${job.index}: partition ${partition} done: ${work.taken} events, ${work.dropped} dropped past the horizon, ${work.duplicates} duplicates ignored`);
      }));
    });
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  const used = process.cpuUsage(started);
  io.err(`worker ${job.index}: ${taken} events (${dropped} dropped past the horizon), ${((used.user + used.system) / 1e6).toFixed(2)} s CPU after start-up`);
}

/** `stream-coordinate --follow`: every slice merged, clustered and turned into alerts (stdout JSON lines, webhook, cases). */
async function coordinateContinuous(options: NatsCliOptions & FollowCliOptions, job: string, partitions: number, io: CliIo): Promise<void> {
  const [{ followSlices }, { SliceAlerts }, { assemblePartials }, { caseSink, webhookSink }] = await Promise.all([
    import('../../stream/nats/continuous.js'), import('../../stream/nats/continuous-work.js'), import('../../stream/distributed.js'), import('./stream-sinks.js'),
  ]);
  const minMembers = whole('--min-members', options.minMembers, 2);
  const fdr = Number(options.fdr);
  if (!(fdr > 0 && fdr < 1)) throw badOption('--fdr', `"${options.fdr}" must be a number between 0 and 1`);
  const assemble = { traces: DEFAULT_STREAM_TRACES, fdr, minShared: whole('--min-shared', options.minShared, 1), cluster: { minClusterSize: minMembers } };
  const alerts = new SliceAlerts({ minMembers, growBy: whole('--grow-by', options.growBy, 1) });
  const webhook = options.webhook === undefined ? null : webhookSink(options.webhook, (text) => io.err(text));
  const cases = options.casesDb === undefined ? null : await caseSink(options.casesDb);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  let raised = 0;
  try {
    const slices = await withNats(options.nats, (nc) => followSlices(nc, { job, partitions, timeoutMs: Number(options.timeout) * 1000, keepPartials: options.keepPartials === true, signal: stop.signal,
      skipBehind: options.skipBehind === true, onSkip: (from, to) => io.err(`lockstep stream-coordinate: behind; slices ${from}-${to} skipped`) }, async (slice, partials) => {
      const cpu0 = process.cpuUsage();
      const result = assemblePartials(partials, assemble);
      const used = process.cpuUsage(cpu0);
      const upTo = partials[0]?.upTo ?? NaN;
      for (const alert of alerts.update(result, upTo)) {
        raised++;
        io.out(JSON.stringify(alert));
        await webhook?.(alert);
        await cases?.alert(alert);
      }
      const events = partials.reduce((sum, partial) => sum + partial.events, 0);
      io.err(`lockstep stream-coordinate: slice ${slice} (up to ${new Date(upTo).toISOString()}): ${events} events in the horizon, ${result.actorIds.length} accounts, ${result.graph.size} edges, ${result.clusters.length} clusters; merge ${((used.user + used.system) / 1000).toFixed(0)} ms CPU`);
    }));
    io.err(`lockstep stream-coordinate: job ${job}: ${slices} slices, ${raised} alerts`);
    // Only after the last slice: a coordinator stopped early leaves the events and the workers'
    // consumers to its replacement. After it every partition's last partial is stored, so a worker
    // has nothing left to fetch; its last acks to a removed consumer are ignored by the servers.
    if (!stop.signal.aborted) {
      const { purgeJobEvents, removeJobConsumers } = await jobs();
      io.err(await withNats(options.nats, async (nc) => {
        const { removed, of } = await removeJobConsumers(nc, job, partitions, 'continuous');
        const consumers = `job ${job}: ${removed} of ${of} consumers removed`;
        return options.keepEvents === true ? consumers : `${consumers}\n${await purgeReport(() => purgeJobEvents(nc, job), job, 'event')}`;
      }));
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await cases?.close();
  }
}
