import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bareAction, LockstepError } from '../model/index.js';
import type { Action } from '../model/index.js';
import { assemblePartials, partitionLabels, traceSums } from './assemble.js';
import { PartitionWork } from './distributed.js';
import { DEFAULT_STREAM_TRACES } from './extract.js';
import { decodePartial, encodePartial } from './partial-codec.js';
import type { PartitionPartial } from './partial-codec.js';
import { partitionActions } from './partitioner.js';
import { JobFilters, pairFilters, prunedPartial } from './pruned-partial.js';

const RUNS = Number(process.env.PRUNED_RUNS ?? 100);

/** Each partition's partial as a worker makes it (PartitionWork over the partitioner's batches). */
function partialsOf(actions: readonly Action[], partitions: number): PartitionPartial[] {
  const batches = partitionActions(actions, { partitions, traces: DEFAULT_STREAM_TRACES, batchSize: 50 });
  return Array.from({ length: partitions }, (_, partition) => {
    const work = new PartitionWork(partition, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
    for (const bytes of batches.get(partition) ?? []) work.add(bytes);
    return work.finish();
  });
}

/** Phases 1 and 2 over every partition; `unpruned` partitions send their full rows (an older worker's, say). */
function pruned(partials: readonly PartitionPartial[], minShared: number, unpruned: ReadonlySet<number> = new Set()): PartitionPartial[] {
  const job = new JobFilters(partials.map((partial) => pairFilters(partial)));
  return partials.map((partial) => (unpruned.has(partial.partition) ? partial : prunedPartial(partial, job, minShared)));
}

/** Every number as its float's bits, arrays element by element: equal means equal to the last bit. */
function bits(value: unknown): unknown {
  if (typeof value === 'number') return Buffer.from(Float64Array.of(value).buffer).toString('hex');
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, bits);
  if (Array.isArray(value)) return value.map(bits);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, bits(entry)]));
  return value;
}

/** The coordinator's whole result, and per trace what its null model reads (tests, strengths, activity, candidate rows). */
function merged(partials: readonly PartitionPartial[], minShared: number): unknown {
  const result = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES, minShared });
  const { labels, globals } = partitionLabels(partials);
  const sums = DEFAULT_STREAM_TRACES.map((trace) => traceSums(partials, globals, trace, labels.length, minShared));
  return bits({ result, sums });
}

const rowsOf = (partials: readonly PartitionPartial[]): number => partials.reduce((sum, partial) => sum + partial.traces.reduce((rows, entry) => rows + entry.pairs.size, 0), 0);

/** Posts and reposts by a few accounts on a few hashtags, links and posts, within a few minutes. */
const actionsArbitrary = fc.array(fc.record({ actor: fc.nat(6), tags: fc.array(fc.nat(11), { maxLength: 3 }), link: fc.option(fc.nat(7)), repost: fc.option(fc.nat(4)), time: fc.nat(200_000) }), { minLength: 1, maxLength: 100 }).map((drawn) => drawn.map(({ actor, tags, link, repost, time }, i) => {
  const action = bareAction('bsky', `p${i}`, `u${actor}`, repost === null ? 'post' : 'repost', 1_700_000_000_000 + time);
  if (repost !== null) action.targetPost = `t${repost}`;
  action.hashtags = [...new Set(tags.map((tag) => `h${tag}`))];
  if (link !== null) action.urls = [`https://example.com/${link}`];
  return action;
}));

describe('pruned partials', () => {
  it('assemble to the same result as unpruned ones, to the last bit, for any actions, partitions and minShared, pruned or not per partition', () => {
    fc.assert(fc.property(actionsArbitrary, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 4 }), fc.array(fc.nat(5), { maxLength: 3 }), (actions, partitions, minShared, keptWhole) => {
      const partials = partialsOf(actions, partitions);
      const expected = merged(partials, minShared);
      assert.deepEqual(merged(pruned(partials, minShared), minShared), expected);
      // A mix: some partitions (every one's filter made) send their rows whole.
      assert.deepEqual(merged(pruned(partials, minShared, new Set(keptWhole)), minShared), expected);
      // Through the partials' bytes (format 4).
      assert.deepEqual(merged(pruned(partials, minShared).map((partial) => decodePartial(encodePartial(partial), 'test')), minShared), expected);
    }), { numRuns: RUNS, seed: 18 });
  });

  it('leave out many rows of a real feed and keep its result (German election posts by hashtag and link, 8 partitions)', () => {
    const actions = germanElectionActions(30_000);
    const partials = partialsOf(actions, 8);
    const cut = pruned(partials, 2);
    // 1,197 of 2,424 rows kept: these posts share hashtag and link together more often than the bench's.
    assert.ok(rowsOf(cut) < (rowsOf(partials) * 3) / 4, `${rowsOf(cut)} rows kept of ${rowsOf(partials)}`);
    assert.deepEqual(merged(cut, 2), merged(partials, 2));
    assert.deepEqual(merged(cut.map((partial) => decodePartial(encodePartial(partial), 'test')), 2), merged(partials, 2));
    // Phase 2 on copies (a worker that did not make the filters itself: the pair keys made again).
    const job = new JobFilters(partials.map((partial) => pairFilters(partial)));
    const copies = partials.map((partial) => prunedPartial(decodePartial(encodePartial(partial), 'copy'), job, 2));
    assert.deepEqual(merged(copies, 2), merged(partials, 2));
    assert.equal(rowsOf(copies), rowsOf(cut));
  });

  it('leave nothing out when minShared is 1 or less, and unpruned partials keep their format 3 bytes', () => {
    const partials = partialsOf(germanElectionActions(3_000), 3);
    for (const minShared of [0, 1]) assert.deepEqual(pruned(partials, minShared), partials);
    for (const partial of partials) assert.equal(encodePartial(partial)[3], 3);
  });

  it('are refused by a merge with a partition they were not checked against, or with a lower minShared', () => {
    const partials = partialsOf(germanElectionActions(3_000), 4);
    const firstThree = new JobFilters(partials.slice(0, 3).map((partial) => pairFilters(partial)));
    const withoutLast = partials.slice(0, 3).map((partial) => prunedPartial(partial, firstThree, 2));
    assert.throws(() => assemblePartials([...withoutLast, partials[3]!], { traces: DEFAULT_STREAM_TRACES }), (error) => error instanceof LockstepError && /unchecked against partition 3/.test(error.message));
    const pruned3 = pruned(partials, 3);
    assert.throws(() => assemblePartials(pruned3, { traces: DEFAULT_STREAM_TRACES, minShared: 2 }), (error) => error instanceof LockstepError && /minShared 2/.test(error.message));
  });
});

/** The fixture's first rows as posts: each row a post by its account with its hashtag and link ids. */
function germanElectionActions(rows: number): Action[] {
  const lines = readFileSync(new URL('../../../shared/data/coortweet/german_elections.csv', import.meta.url), 'utf8').split('\n').slice(1, rows + 1);
  return lines.filter((line) => line !== '').map((line, i) => {
    const [account, post, url, hashtag, , , time] = line.split(',');
    const action = bareAction('fb', `${post}-${i}`, account!, 'post', Number(time) * 1_000);
    if (hashtag !== '') action.hashtags = [`h${hashtag}`];
    if (url !== '') action.urls = [`https://u.example/${url}`];
    return action;
  });
}
