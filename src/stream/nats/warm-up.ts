/**
 * A bounded job's worker runs each partition's code once, so without this it runs cold: V8
 * optimises a function only after it has run a while, and on a loaded machine its background
 * compiler gets little CPU, so much of a job ran in the interpreter (session 9: 7.3 µs/event of
 * worker CPU in a job against 2.7 in a warm loop over the same batches). A worker started ahead of
 * its job runs the path a partition takes — decode batches, windows, the kernel, encode, gzip —
 * over a small synthetic partition while it waits, so the job's events meet optimised code.
 * Nothing is kept: the synthetic work shares no state with a job's.
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

export const WARM_UP_DEFAULTS = { rounds: 4, events: 20_000 } as const;

const ACTORS = 2_000;
const KEYS = 400;
const BATCH = 2_000;

/**
 * Works `rounds` synthetic partitions of `events` events each (2,000 accounts on 400 keys spread
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
  for (let round = 0; round < Math.max(1, rounds); round++) {
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
        const a = random(ACTORS), k = random(4) === 0 ? random(KEYS) : (a >> 3) % KEYS;
        if (actorLocal[a] === -1) {
          actorLocal[a] = actorsSent++;
          newActors.push(`warm-up\u0000a${a}`);
        }
        if (keyLocal[k] === -1) {
          keyLocal[k] = keysSent++;
          newKeys.push(`k${k}`);
          newKeyTraces.push(options.traces[k % options.traces.length]!);
        }
        time += random(400);
        actor[e] = actorLocal[a]!;
        key[e] = keyLocal[k]!;
        times[e] = time;
      }
      work.add(encodeBatch({ b: b++, end: false, newActors, newKeys, newKeyTraces, count, actor, key, time: times }), 'warm-up');
    }
    work.add(encodeEnd(b), 'warm-up');
    last = work.finish();
    packPartial(last);
  }
  return last!;
}
