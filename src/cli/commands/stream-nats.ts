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
import type { OutBatch } from '../../stream/partitioner.js';
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
  const nc = await connect({ servers: servers.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  try {
    return await run(nc);
  } finally {
    await nc.drain().catch(() => nc.close());
  }
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
    .option('--publisher <i>', 'this publisher\'s index when several publish the job, each a disjoint share of the input (workers take --publishers)', '0')
    .action(async (file: string, options: NatsCliOptions & { batch: string; replicas: string; publisher: string }) => {
      const job = checkJob(options.job);
      const publisher = whole('--publisher', options.publisher, 0);
      if (publisher >= 2 ** 16) throw badOption('--publisher', `${publisher} must be below 65536`);
      const [{ ByteFront }, { Partitioner }, { ensureJobStorage, publishBatches }] = await Promise.all([import('../../stream/byte-front.js'), import('../../stream/partitioner.js'), jobs()]);
      const partitioner = new Partitioner({ partitions: whole('--partitions', options.partitions, 1), traces: DEFAULT_STREAM_TRACES, batchSize: whole('--batch', options.batch, 1), publisher });
      let shown = 0;
      // Chunks of the file go straight to the partitioner (byte-front.ts: lines scanned as bytes,
      // accounts and keys looked up by their bytes); batches leave while the file is still read.
      const front = new ByteFront(partitioner, { where: (n) => `${file}:${n}`, onProblem: (problem) => {
        if (++shown <= 3) io.err(`lockstep stream-publish: ${problem}`);
      } });
      const batches = await withNats(options.nats, async (nc) => {
        await ensureJobStorage(nc, whole('--replicas', options.replicas, 1));
        const js = nc.jetstream();
        const out: OutBatch[] = [];
        let sent = 0;
        for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
          front.push(chunk, out);
          if (out.length >= 64) sent += await publishBatches(js, job, out.splice(0));
        }
        front.end(out);
        partitioner.finish(out);
        return sent + (await publishBatches(js, job, out.splice(0)));
      });
      const { actions, rejected } = front;
      const sent = { events: partitioner.events, batches };
      io.err(`lockstep stream-publish: ${actions} actions, ${sent.events} events in ${sent.batches} batches to job ${job}${publisher > 0 ? ` as publisher ${publisher}` : ''}; ${rejected} lines rejected`);
    });

  common(program.command('stream-worker'))
    .description('Work key partitions of a job (durable JetStream consumers) into pair-weight partials')
    .option('--index <i>', 'this worker\'s index', '0')
    .option('--of <n>', 'workers in the job (partition p goes to worker p mod n)', '1')
    .option('--window <seconds>', 'co-action window', '60')
    .option('--ack-wait <seconds>', 'a dead worker\'s messages are redelivered after this long', '5')
    .option('--publishers <n>', 'publishers of the job (stream-publish --publisher 0 … n-1); a partition is done at all their end markers', '1')
    .action(async (options: NatsCliOptions & { index: string; of: string; window: string; ackWait: string; publishers: string }) => {
      const job = checkJob(options.job);
      const partitions = whole('--partitions', options.partitions, 1);
      const of = whole('--of', options.of, 1);
      const index = whole('--index', options.index, 0);
      const publishers = whole('--publishers', options.publishers, 1);
      if (publishers > 2 ** 16) throw badOption('--publishers', `${publishers} must be at most 65536`);
      if (index >= of) throw badOption('--index', `${index} must be below --of ${of}`);
      const mine = Array.from({ length: partitions }, (_, p) => p).filter((p) => p % of === index);
      const { workPartition } = await jobs();
      const started = process.cpuUsage();
      let events = 0;
      await withNats(options.nats, async (nc) => {
        await Promise.all(mine.map(async (partition) => {
          const partial = await workPartition(nc, partition, {
            job, traces: DEFAULT_STREAM_TRACES, windowMs: whole('--window', options.window, 0) * 1000, maxPartnersPerEvent: 32,
            ackWaitMs: Number(options.ackWait) * 1000, publishers, onProgress: (p, batches) => io.err(`worker ${index}: partition ${p}: ${batches} batches`),
          });
          events += partial.events;
          io.err(`worker ${index}: partition ${partition} done: ${partial.events} events, ${partial.duplicates} duplicates ignored`);
        }));
      });
      const used = process.cpuUsage(started);
      io.err(`worker ${index}: ${events} events, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU after start-up`);
    });

  common(program.command('stream-coordinate'))
    .description('Merge a job\'s partials and cluster them; prints clusters (account ids) as JSON')
    .option('--timeout <seconds>', 'wait this long for every partition\'s partial', '600')
    .option('--keep-partials', 'leave the job\'s partials in the partials stream (by default they are removed once the result is out)')
    .action(async (options: NatsCliOptions & { timeout: string; keepPartials?: boolean }) => {
      const job = checkJob(options.job);
      const partitions = whole('--partitions', options.partitions, 1);
      const [{ collectPartials, purgePartials }, { assemblePartials }] = await Promise.all([jobs(), import('../../stream/distributed.js')]);
      await withNats(options.nats, async (nc) => {
        const partials = await collectPartials(nc, job, partitions, Number(options.timeout) * 1000);
        const result = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES });
        io.out(JSON.stringify({
          job, accounts: result.actorIds.length, edges: result.graph.size,
          clusters: result.clusters.map((cluster) => ({ members: cluster.members.map((member) => result.actorIds[member]), score: cluster.score, traces: cluster.traces })),
        }));
        // Only once the result is out: a coordinator that dies before can be run again.
        if (options.keepPartials !== true) {
          io.err(await purgePartials(nc, job).then((removed) => `job ${job}: ${removed} partial messages removed`,
            (error: unknown) => `job ${job}: partials not removed now, the stream's max age will (${error instanceof Error ? error.message : String(error)})`));
        }
      });
    });
}
