/**
 * Where a continuous worker keeps its partitions' checkpoints (worker-checkpoint.ts): in the
 * partials stream (partial-store.ts: chunked puts, a manifest with a native SHA-256, replicated
 * as the job's streams, dropped by the stream's max age if never removed), one sub-job per
 * partition and slice, `<job>.ck-p<partition>-s<slice>`. Not a KV bucket: a partition's labels
 * pass a message's 1 MiB at a firehose's cardinality, and the object store hashes in JavaScript.
 *
 * Which checkpoint a replacement starts from: it must make every slice from the first one neither
 * merged by the coordinator nor stored by the worker before it (`firstNeeded`), and a slice's
 * partial is over `[upTo − H, upTo)`, so it starts from the newest checkpoint whose `upTo` is at
 * least a horizon before that slice's (slices are `sliceMs` apart): the batches after it hold every
 * event of those horizons. Older checkpoints than the newest such one for the first slice not
 * merged are removed as new ones are written.
 */
import type { NatsConnection } from 'nats';
import { LockstepError } from '../../model/index.js';
import { getPartial, manifestsUnder, putPartial, readMark, removePartials } from './partial-store.js';
import { decodeCheckpoint, encodeCheckpoint } from './worker-checkpoint.js';
import type { WorkerCheckpoint } from './worker-checkpoint.js';

const checkpointJob = (job: string, partition: number, slice: number): string => `${job}.ck-p${partition}-s${slice}`;
const CHECKPOINT_NAME = /^ck-p(\d+)-s(\d+)$/;

/** Stores a partition's checkpoint; returns its size in bytes. */
export async function putCheckpoint(nc: NatsConnection, job: string, checkpoint: WorkerCheckpoint): Promise<number> {
  const bytes = encodeCheckpoint(checkpoint);
  await putPartial(nc, checkpointJob(job, checkpoint.partition, checkpoint.slice), checkpoint.partition, bytes);
  return bytes.length;
}

/** The slices with a stored checkpoint of `partition`, ascending, and the first slice it must make (neither merged nor stored). */
export async function checkpointsOf(nc: NatsConnection, job: string, partition: number): Promise<{ slices: number[]; firstNeeded: number }> {
  const [stored, progress] = await Promise.all([manifestsUnder(nc, job), readMark(nc, job, 'progress')]);
  const slices: number[] = [];
  for (const name of stored.keys()) {
    const match = CHECKPOINT_NAME.exec(name);
    if (match !== null && Number(match[1]) === partition) slices.push(Number(match[2]));
  }
  let firstNeeded = typeof progress?.slice === 'number' ? progress.slice + 1 : 0;
  while (stored.get(`s${firstNeeded}`)?.has(partition) === true) firstNeeded++;
  return { slices: slices.sort((x, y) => x - y), firstNeeded };
}

/** The newest of `slices` at least a horizon of slices before `first` (slices `sliceMs` apart), or undefined. */
export function startingCheckpoint(slices: readonly number[], first: number, sliceMs: number, horizonMs: number): number | undefined {
  if (!(sliceMs > 0)) return undefined;
  const back = Math.ceil(horizonMs / sliceMs);
  return slices.filter((slice) => slice + back <= first).at(-1);
}

/**
 * The checkpoint a replacement of `partition` starts from (see the file's comment), or null (none
 * far enough back, or none: it reads the partition from batch 0), and the slices of the
 * partition's stored checkpoints. A checkpoint that cannot be read now or is damaged is said
 * (`onRefused`) and an older one tried.
 */
export async function loadCheckpoint(nc: NatsConnection, job: string, partition: number, horizonMs: number, onRefused: (slice: number, reason: string) => void = () => undefined): Promise<{ checkpoint: WorkerCheckpoint | null; slices: number[] }> {
  const { slices, firstNeeded } = await checkpointsOf(nc, job, partition);
  const read = async (slice: number): Promise<WorkerCheckpoint | null> => {
    const where = `job ${job}, partition ${partition}, checkpoint of slice ${slice}`;
    try {
      const bytes = await getPartial(nc, checkpointJob(job, partition, slice), partition, { fromLeader: true });
      if (bytes === null) throw new LockstepError('detect/bad-input', `${where}: not readable now`);
      const checkpoint = decodeCheckpoint(bytes, where);
      if (checkpoint.partition !== partition || checkpoint.slice !== slice) throw new LockstepError('detect/bad-input', `${where}: holds partition ${checkpoint.partition}'s slice ${checkpoint.slice}`);
      return checkpoint;
    } catch (error) {
      if (!(error instanceof LockstepError)) throw error;
      onRefused(slice, error.message);
      return null;
    }
  };
  // The slices' length, from the newest readable checkpoint (every slice is as long).
  let sliceMs = NaN;
  for (let i = slices.length - 1; i >= 0 && !(sliceMs > 0); i--) sliceMs = (await read(slices[i]!))?.sliceMs ?? NaN;
  let candidates = slices;
  for (let start = startingCheckpoint(candidates, firstNeeded, sliceMs, horizonMs); start !== undefined; start = startingCheckpoint(candidates, firstNeeded, sliceMs, horizonMs)) {
    const checkpoint = await read(start);
    if (checkpoint !== null) return { checkpoint, slices };
    candidates = candidates.filter((slice) => slice < start);
  }
  return { checkpoint: null, slices };
}

/**
 * Removes `partition`'s checkpoints no replacement would start from: those older than the one a
 * replacement needing the first unmerged slice would (`startingCheckpoint`); all of them with
 * `all` (the partition's last slice is closed). Returns the slices still kept.
 */
export async function pruneCheckpoints(nc: NatsConnection, job: string, partition: number, slices: readonly number[], sliceMs: number, horizonMs: number, all = false): Promise<number[]> {
  let keepFrom = Infinity;
  if (!all) {
    const progress = await readMark(nc, job, 'progress');
    const firstUnmerged = typeof progress?.slice === 'number' ? progress.slice + 1 : 0;
    keepFrom = startingCheckpoint(slices, firstUnmerged, sliceMs, horizonMs) ?? -Infinity;
  }
  const kept: number[] = [];
  for (const slice of slices) {
    if (slice >= keepFrom) kept.push(slice);
    else await removePartials(nc, checkpointJob(job, partition, slice)).catch(() => kept.push(slice));
  }
  return kept;
}
