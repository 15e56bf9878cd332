/**
 * A bounded job's worker runs each partition's code once, so without this it runs cold: V8
 * optimises a function only after it has run a while, and on a loaded machine its background
 * compiler gets little CPU, so much of a job ran in the interpreter (session 9: 7.3 µs/event of
 * worker CPU in a job against 2.7 in a warm loop over the same batches). A worker started ahead of
 * its job runs the path a partition takes — decode batches, windows, the kernel, encode, gzip —
 * over a small synthetic partition while it waits, so the job's events meet optimised code.
 * Nothing is kept: the synthetic work shares no state with a job's. The partitions are shaped like
 * a feed's (empty traces, busy traces of many keys, late events, rings' pairs on several keys,
 * labels with long common prefixes): optimised code that meets a branch the warm-up never took
 * bails out, and before session 16 each worker's first finish bailed out 6-14 times and cost 2-4x
 * its later ones (docs/streaming.md).
 */
import { PartitionWork } from '../distributed.js';
import type { PartitionPartial } from '../distributed.js';
import type { StreamTrace } from '../extract.js';
import { encodeBatch, encodeEnd } from '../wire-batch.js';
import { packPartial } from './partial-pack.js';

export interface WarmUpOptions {
  traces: readonly StreamTrace[];
  windowMs: number;
  maxPartnersPerEvent: number;
  /** Synthetic partitions worked one after another. */
  rounds: number;
  /** Events of each (in batches of 2,000, as the publisher sends them). */
  events: number;
}

// 15k events a round (20k before session 16's feed-shaped partitions): the same warm-up CPU.
export const WARM_UP_DEFAULTS = { rounds: 4, events: 15_000 } as const;

const ACTORS = 2_000;
/** Over 256 keys a trace, so the kernel's sort puts several keys in one bucket, as a feed's traces do. */
const KEYS = 3_000;
/** A group of 8 acts on two keys, two groups on each: its pairs co-act often and on more than one key, as a ring's do. */
const RING_KEYS = 125;
const BATCH = 2_000;

/**
 * Works `rounds` synthetic partitions of `events` events each (2,000 accounts on 3,000 keys spread
 * over the traces, a few seconds apart, so every trace has co-actions within the window) and packs
 * each partial as a worker stores it. Returns the last partial (tests check it has pairs).
 */
export function warmUpWorker(options: Pick<WarmUpOptions, 'traces' | 'windowMs' | 'maxPartnersPerEvent'> & Partial<WarmUpOptions>): PartitionPartial {
  const { rounds, events } = { ...WARM_UP_DEFAULTS, ...options };
  let last: PartitionPartial | null = null;
  let seed = 12_345;
  // A fixed linear congruential sequence: the same warm-up every time.
  const random = (below: number): number => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return (seed >>> 8) % below;
  };
  const lastRound = Math.max(1, rounds) - 1;
  for (let round = 0; round <= lastRound; round++) {
    // Every other round (never the last) leaves every other trace empty, as a feed of reposts and
    // hashtags does: an empty trace takes the kernel's in-order branch, and code first meeting it
    // in a job bails out of optimised code in the middle of the job's first finish.
    const traceStep = (lastRound - round) % 2 === 1 && options.traces.length > 1 ? 2 : 1;
    const tracesUsed = Math.ceil(options.traces.length / traceStep);
    const work = new PartitionWork(0, options);
    const actorLocal = new Int32Array(ACTORS).fill(-1);
    const keyLocal = new Int32Array(KEYS).fill(-1);
    let actorsSent = 0, keysSent = 0, time = 1_700_000_000_000, b = 0;
    for (let from = 0; from < events; from += BATCH) {
      const count = Math.min(BATCH, events - from);
      const newActors: string[] = [], newKeys: string[] = [], newKeyTraces: StreamTrace[] = [];
      const actor = new Int32Array(count), key = new Int32Array(count), times = new Float64Array(count);
      for (let e = 0; e < count; e++) {
        // Accounts in groups of 8 acting on the same few keys, as a ring does, beside random ones.
        // (a ring's second key is on the trace of its first)
        const a = random(ACTORS), k = random(4) === 0 ? random(KEYS) : (a >> 3) % RING_KEYS + RING_KEYS * tracesUsed * random(2);
        if (actorLocal[a] === -1) {
          actorLocal[a] = actorsSent++;
          newActors.push(actorLabel(a));
        }
        if (keyLocal[k] === -1) {
          keyLocal[k] = keysSent++;
          newKeys.push(`k${k}`);
          newKeyTraces.push(options.traces[(k % tracesUsed) * traceStep]!);
        }
        time += random(400);
        actor[e] = actorLocal[a]!;
        // One action in 64 without a trace event (a post with no link, tag, reply or mention).
        key[e] = (e & 63) === 63 ? -1 : keyLocal[k]!;
        // One event in 16 up to 30 s late, so keys' events need sorting by time, as a feed's do.
        times[e] = random(16) === 0 ? time - random(30_000) : time;
      }
      work.add(encodeBatch({ b: b++, end: false, newActors, newKeys, newKeyTraces, count, actor, key, time: times }), 'warm-up');
    }
    work.add(encodeEnd(b), 'warm-up');
    last = work.finish();
    packPartial(last);
  }
  return last!;
}

/**
 * Labels shaped as a feed's (a long common prefix, then runs that tie on the label sort's first
 * units), so the sort takes its tie and recursion paths here and not first in a job.
 */
function actorLabel(a: number): string {
  return `warm-up\u0000did:plc:${a % 2 === 0 ? 'organic' : 'x'}${a}`;
}
