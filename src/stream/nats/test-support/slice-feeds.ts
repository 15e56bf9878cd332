/**
 * What the continuous workers' tests share (slice-horizon, continuous-work, worker-checkpoint):
 * a seeded generator, a feed whose rings come back after more than a horizon of quiet, and a
 * partition's messages fed to a WindowedPartition as followPartition does.
 */
import { bareAction } from '../../../model/index.js';
import type { Action } from '../../../model/index.js';
import type { PartitionPartial } from '../../distributed.js';
import type { SliceCutter, SliceMarker, SliceOut, WindowedPartition } from '../continuous-work.js';

/** A seeded generator (LCG). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
}

/**
 * Organic accounts (300, on keys busy for 15 s) with repeats and late actions (up to two horizons
 * back), and three rings of five that strike every 4 s on one of six keys each, sometimes after
 * more than a horizon of quiet: the publisher frees account ids and forgets keys, and new ones
 * take the ids again.
 */
export function returningRingActions(t0: number, horizonMs: number): Action[] {
  const random = seeded(8), out: Action[] = [];
  for (let n = 0; n < 6_000; n++) {
    const roll = random(), now = t0 + n * 50;
    if (roll < 0.05 && n > 0) {
      out.push(out[n - 1 - Math.floor(random() * Math.min(n, 3_000))]!);
      continue;
    }
    const made = bareAction('bluesky', `at://did:plc:o/app.bsky.feed.repost/${n}`, `did:plc:o${Math.floor(random() * 300)}`, 'repost', roll < 0.08 ? now - Math.floor(random() * 2 * horizonMs) : now);
    made.targetPost = `at://p/${Math.floor(n / 300)}-${Math.floor(random() * 40)}`;
    out.push(made);
    if (n % 80 === 0) {
      const ring = Math.floor(random() * 3), key = Math.floor(random() * 6);
      for (let m = 0; m < 5; m++) {
        const strike = bareAction('bluesky', `at://did:plc:r/app.bsky.feed.repost/${n}-${m}`, `did:plc:ring${ring}-${m}`, 'repost', now + m * 400);
        strike.targetPost = `at://ring/${ring}-${key}`;
        out.push(strike);
      }
    }
  }
  return out;
}

/**
 * Feeds one partition's `messages`, in the order given, to `work` as followPartition does: batches
 * taken, markers of slices from `fromSlice` on held until the slice is ready, then `closed` is
 * called for each slice in order (its partial is the work's now). Returns the next slice not closed.
 */
export function closeSlices(work: WindowedPartition, messages: readonly SliceOut[], fromSlice: number, closed: (marker: SliceMarker) => void): number {
  const pending = new Map<number, SliceMarker>();
  let open = fromSlice;
  for (const message of messages) {
    if (message.marker === null) work.add(message.bytes);
    else if (message.marker.slice >= open) pending.set(message.marker.slice, message.marker);
    for (let marker = pending.get(open); marker !== undefined && work.ready(marker); marker = pending.get(open)) {
      pending.delete(open++);
      closed(marker);
    }
  }
  return open;
}

/**
 * Cuts `actions` into slices (their messages appended to `out`, the cutter finished); per slice,
 * how many of the actions had come when it closed (a late one counts in the slices after it came).
 */
export function cutAll(cutter: SliceCutter, actions: readonly Action[], out: SliceOut[]): number[] {
  const cameBefore: number[] = [];
  for (let n = 0; n < actions.length; n++) {
    const open = cutter.slice;
    cutter.push(actions[n]!, out);
    for (let s = open; s < cutter.slice; s++) cameBefore[s] = n;
  }
  cutter.finish(out);
  cameBefore[cutter.slice - 1] = actions.length;
  return cameBefore;
}

/** closeSlices, each closed slice's partial added to `bySlice` beside the other partitions'. */
export function gatherSlices(work: WindowedPartition, messages: readonly SliceOut[], bySlice: Map<number, { upTo: number; partials: PartitionPartial[] }>): number {
  return closeSlices(work, messages, 0, (marker) => {
    const entry = bySlice.get(marker.slice) ?? { upTo: marker.upTo, partials: [] };
    entry.partials.push(work.partialAt(marker.upTo));
    bySlice.set(marker.slice, entry);
  });
}
