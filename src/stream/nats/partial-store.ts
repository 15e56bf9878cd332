/**
 * Where workers leave their partials for the coordinator: a replicated JetStream stream (R3 on a
 * 3-node cluster), not the object store. The object store hashes every byte with a JavaScript
 * SHA-256 on both put and get (1.1 µs an event each on the bench's 7.2 MB of partials, against
 * 0.03 for node:crypto), so a partial is kept here as its own chunks of up to ~960 KB under a
 * put id, then a manifest (put id, chunk count, length, native SHA-256) on the partition's
 * `done` subject. The manifest is written last, so a partial is visible only when whole; a put
 * retried or redone by another worker writes a new put id and its own manifest (the stream keeps
 * the last per subject), so a reader never mixes two puts' chunks; the digest catches damage.
 *
 * Retention: a put removes the chunks of the put its manifest replaces; the coordinator removes a
 * job's partials once it has read them all (`purgePartials`, which leaves a small `collected` mark
 * so a worker started again on the finished job says so instead of waiting); and the stream drops
 * anything older than `maxAgeMs` (default a day), so a put abandoned half-way (a worker killed
 * between its chunks and its manifest, or two puts racing) does not stay for ever.
 */
import { createHash } from 'node:crypto';
import { DiscardPolicy, nuid } from 'nats';
import type { JetStreamManager, NatsConnection, StoredMsg } from 'nats';
import { z } from 'zod';
import { LockstepError } from '../../model/index.js';
import { ensureStreamMaxAge } from './stream-max-age.js';

export const PARTIALS_STREAM = 'LOCKSTEP_PARTIALS';
const SUBJECTS = 'lockstep.partials';
/** Chunk bytes: below the servers' default max_payload (1 MiB) with room for headers. */
const CHUNK = 960 * 1024;

const doneSubject = (job: string, partition: number): string => `${SUBJECTS}.${job}.${partition}.done`;
const chunkSubject = (job: string, partition: number, put: string, chunk: number): string => `${SUBJECTS}.${job}.${partition}.${put}.c${chunk}`;
const putSubjects = (job: string, partition: number, put: string): string => `${SUBJECTS}.${job}.${partition}.${put}.*`;
const collectedSubject = (job: string): string => `${SUBJECTS}.${job}.collected`;
/** The subject a job's manifests arrive on (the coordinator wakes on them). */
export const manifestsOf = (job: string): string => `${SUBJECTS}.${job}.*.done`;

const Manifest = z.object({ put: z.string().regex(/^[A-Za-z0-9]+$/), chunks: z.number().int().nonnegative(), bytes: z.number().int().nonnegative(), sha256: z.string() });

/**
 * The last message on `subject`, read by a direct get (any replica answers, raw bytes) where the
 * client has it — nats.js 2.x has it on the manager object without typing it — else through the
 * stream API (the leader answers, base64 in JSON).
 */
function lastOn(jsm: JetStreamManager, subject: string): Promise<StoredMsg> {
  const direct = (jsm as JetStreamManager & { direct?: { getMessage(stream: string, query: { last_by_subj: string }): Promise<StoredMsg> } }).direct;
  return direct !== undefined ? direct.getMessage(PARTIALS_STREAM, { last_by_subj: subject }) : jsm.streams.getMessage(PARTIALS_STREAM, { last_by_subj: subject });
}

export interface PartialStreamOptions {
  /** Partials (and `collected` marks) older than this are dropped by the servers: abandoned puts, jobs never collected. */
  maxAgeMs: number;
}

export const PARTIAL_STREAM_DEFAULTS: PartialStreamOptions = { maxAgeMs: 24 * 3_600_000 };

/**
 * Creates the partials stream if missing (direct gets on: any replica answers a read); an existing
 * one gets a `maxAgeMs` given here if its max age differs, the default only if it has no limit
 * (streams made before retention kept everything; stream-max-age.ts).
 */
export async function ensurePartialStream(nc: NatsConnection, replicas: number, options: Partial<PartialStreamOptions> = {}): Promise<void> {
  const { maxAgeMs } = { ...PARTIAL_STREAM_DEFAULTS, ...options };
  if (!(maxAgeMs > 0)) throw new LockstepError('detect/bad-input', `partials max age: ${maxAgeMs} ms is not a positive duration`);
  // Partials are published without message ids; the deduplication window is only the servers' ask.
  await ensureStreamMaxAge(nc, { name: PARTIALS_STREAM, subjects: [`${SUBJECTS}.>`], num_replicas: replicas, max_msgs_per_subject: 1, allow_direct: true, discard: DiscardPolicy.Old }, maxAgeMs, 120_000, options.maxAgeMs !== undefined);
}

/**
 * The put id of the partition's current manifest, or null (none, unreadable or not a manifest).
 * Read from the stream's leader, not by a direct get: a replica behind would answer with no
 * manifest or an older one, and the chunks of the put being replaced would be left behind.
 */
async function currentPut(jsm: JetStreamManager, job: string, partition: number): Promise<string | null> {
  const message = await jsm.streams.getMessage(PARTIALS_STREAM, { last_by_subj: doneSubject(job, partition) }).catch(() => null);
  if (message === null) return null;
  try {
    return Manifest.parse(JSON.parse(new TextDecoder().decode(message.data))).put;
  } catch {
    return null;
  }
}

/**
 * Stores one partition's partial bytes: its chunks, then its manifest; then removes the chunks of
 * the put the manifest replaced (read before the manifest was written, so never the current one's;
 * if that removal fails, or two puts raced, the leftover chunks go with the stream's max age).
 */
export async function putPartial(nc: NatsConnection, job: string, partition: number, bytes: Uint8Array): Promise<void> {
  const js = nc.jetstream();
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  const previous = currentPut(jsm, job, partition);
  const put = nuid.next();
  const size = Math.max(1024, Math.min(CHUNK, (nc.info?.max_payload ?? 1_048_576) - 16 * 1024));
  const chunks = Math.ceil(bytes.length / size);
  await Promise.all(Array.from({ length: chunks }, (_, chunk) => js.publish(chunkSubject(job, partition, put, chunk), bytes.subarray(chunk * size, Math.min(bytes.length, (chunk + 1) * size)))));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const replaced = await previous;
  await js.publish(doneSubject(job, partition), new TextEncoder().encode(JSON.stringify({ put, chunks, bytes: bytes.length, sha256 })));
  if (replaced !== null && replaced !== put) await jsm.streams.purge(PARTIALS_STREAM, { filter: putSubjects(job, partition, replaced) }).catch(() => undefined);
}

/**
 * Removes every partial of `job` (the coordinator, once it has read them all) and leaves a
 * `collected` mark (kept for the stream's max age) so that a worker started again on the job
 * stops instead of waiting for events that were all acknowledged. Returns the messages removed.
 */
export async function purgePartials(nc: NatsConnection, job: string): Promise<number> {
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  await nc.jetstream().publish(collectedSubject(job), new TextEncoder().encode(JSON.stringify({ collected: Date.now() })));
  // Manifests (`job.p.done`) and chunks (`job.p.put.cN`); not the mark (`job.collected`).
  return (await jsm.streams.purge(PARTIALS_STREAM, { filter: `${SUBJECTS}.${job}.*.>` })).purged;
}

/**
 * Whether `job`'s partials were collected and removed by its coordinator (`purgePartials`), read
 * from the stream's leader (a replica behind may not have the mark yet); false when that cannot be
 * read now.
 */
export async function wasCollected(nc: NatsConnection, job: string): Promise<boolean> {
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  return jsm.streams.getMessage(PARTIALS_STREAM, { last_by_subj: collectedSubject(job) }).then(() => true, () => false);
}

/**
 * One partition's partial bytes, or null if none is stored yet or a chunk cannot be read now
 * (callers look again). Read by direct gets (any replica answers), or with `fromLeader` from the
 * stream's leader (never behind: for a partial whose manifest has been seen but a replica missed). Damage (a bad manifest, a wrong length or digest) is a LockstepError
 * naming the job and partition.
 */
export async function getPartial(nc: NatsConnection, job: string, partition: number, options: { fromLeader?: boolean } = {}): Promise<Uint8Array | null> {
  // No account-info request first (checkAPI): after a node is lost it can time out, and this read
  // must answer null (look again), never throw.
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  const where = `job ${job}, partition ${partition}`;
  const read = (subject: string): Promise<StoredMsg> => (options.fromLeader === true ? jsm.streams.getMessage(PARTIALS_STREAM, { last_by_subj: subject }) : lastOn(jsm, subject));
  const manifestMessage = await read(doneSubject(job, partition)).catch(() => null);
  if (manifestMessage === null) return null;
  let manifest: z.infer<typeof Manifest>;
  try {
    manifest = Manifest.parse(JSON.parse(new TextDecoder().decode(manifestMessage.data)));
  } catch (error) {
    throw new LockstepError('detect/bad-input', `${where}: not a partial manifest (${error instanceof Error ? error.message : String(error)})`);
  }
  const parts = await Promise.all(Array.from({ length: manifest.chunks }, (_, chunk) => read(chunkSubject(job, partition, manifest.put, chunk)).then((message) => message.data, () => null)));
  const out = new Uint8Array(manifest.bytes);
  let at = 0;
  for (const part of parts) {
    // Not readable now (a node lost, a leader election): the caller looks again.
    if (part === null) return null;
    if (at + part.length > out.length) throw new LockstepError('detect/bad-input', `${where}: chunks longer than the ${manifest.bytes} bytes the manifest gives`);
    out.set(part, at);
    at += part.length;
  }
  if (at !== out.length) throw new LockstepError('detect/bad-input', `${where}: ${at} bytes, the manifest gives ${manifest.bytes}`);
  if (createHash('sha256').update(out).digest('hex') !== manifest.sha256) throw new LockstepError('detect/bad-input', `${where}: the partial's SHA-256 differs from its manifest's`);
  return out;
}

/** Whether a manifest of `job`'s `partition` is stored (read from the stream's leader). */
export async function hasPartial(nc: NatsConnection, job: string, partition: number): Promise<boolean> {
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  return jsm.streams.getMessage(PARTIALS_STREAM, { last_by_subj: doneSubject(job, partition) }).then(() => true, () => false);
}

/** Removes `job`'s partials without leaving a mark (a continuous job's merged slice). */
export async function removePartials(nc: NatsConnection, job: string): Promise<number> {
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  return (await jsm.streams.purge(PARTIALS_STREAM, { filter: `${SUBJECTS}.${job}.>` })).purged;
}

const markSubject = (job: string, name: string): string => `${SUBJECTS}.${job}.mark-${name}`;

/** Writes a small JSON mark of `job` (the stream keeps the last per subject): a continuous job's `progress` and `last`. */
export async function writeMark(nc: NatsConnection, job: string, name: string, value: Record<string, number>): Promise<void> {
  await nc.jetstream().publish(markSubject(job, name), new TextEncoder().encode(JSON.stringify(value)));
}

/** The mark `name` of `job`, read from the stream's leader; null if none (or not readable now). */
export async function readMark(nc: NatsConnection, job: string, name: string): Promise<Record<string, unknown> | null> {
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  const message = await jsm.streams.getMessage(PARTIALS_STREAM, { last_by_subj: markSubject(job, name) }).catch(() => null);
  if (message === null) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(message.data));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The partitions with a stored manifest per sub-job `<prefix>.<name>` (a continuous job's slices:
 * `<job>.s<n>`), read from the stream's subjects (one request). Empty when it cannot be read now.
 */
export async function manifestsUnder(nc: NatsConnection, prefix: string): Promise<Map<string, Set<number>>> {
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  const out = new Map<string, Set<number>>();
  const info = await jsm.streams.info(PARTIALS_STREAM, { subjects_filter: `${SUBJECTS}.${prefix}.*.*.done` }).catch(() => null);
  const head = `${SUBJECTS}.${prefix}.`;
  for (const subject of Object.keys(info?.state.subjects ?? {})) {
    const [name, partition] = subject.slice(head.length).split('.');
    if (name === undefined || partition === undefined) continue;
    let set = out.get(name);
    if (set === undefined) out.set(name, (set = new Set()));
    set.add(Number(partition));
  }
  return out;
}
