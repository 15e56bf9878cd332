/**
 * A bounded job's front end over a file (`stream-publish`): the file's bytes scanned, partitioned
 * and published (byte-front.ts, partitioner.ts), all of it or, as one of `stream-publish
 * --threads n`, one share by account (ByteFront's `share`), publisher `index` of `of`. Each share
 * sees the whole file (read once by the parent, publish-feed.ts) and counts every line, so a
 * rejected line is named with the file's line number.
 */
import { createReadStream } from 'node:fs';
import type { NatsConnection } from 'nats';
import { ByteFront } from '../byte-front.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { Partitioner } from '../partitioner.js';
import type { OutBatch } from '../partitioner.js';
import { publishBatches } from './publish-batches.js';

export interface PublishShareRequest {
  file: string;
  job: string;
  partitions: number;
  batchSize: number;
  /** This publisher's index; with `of` above 1, also its share of the file's accounts. */
  publisher: number;
  /** Publishers reading this file, each a share by account (stream-publish --threads); 1: the whole file. */
  of: number;
}

/** A rejected line's problem, at its line number in the file. */
export interface LineProblem { line: number; problem: string }

export interface PublishShareResult {
  actions: number;
  events: number;
  batches: number;
  rejected: number;
  /** The first problems (at most FIRST_PROBLEMS), in file order. */
  problems: LineProblem[];
}

/** Problems each share keeps to be shown (the command shows the file's first ones). */
export const FIRST_PROBLEMS = 3;

/**
 * Publishes the request's share of the file to its job's subjects; batches leave while the file is
 * read. `chunks`: the file's bytes as another reads them (a chunk's memory may be reused once the
 * next is asked for); absent, the file is read here.
 */
export async function publishShare(nc: NatsConnection, request: PublishShareRequest, chunks: AsyncIterable<Uint8Array> = createReadStream(request.file, { highWaterMark: 256 * 1024 })): Promise<PublishShareResult> {
  const { file, job, publisher, of } = request;
  const partitioner = new Partitioner({ partitions: request.partitions, traces: DEFAULT_STREAM_TRACES, batchSize: request.batchSize, publisher, publishers: of });
  const problems: LineProblem[] = [];
  // Chunks of the file go straight to the partitioner: lines scanned as bytes, accounts and keys
  // looked up by their bytes. A problem comes while `front.lines` is its line's number.
  const front: ByteFront = new ByteFront(partitioner, {
    where: (n) => `${file}:${n}`,
    onProblem: (problem) => {
      if (problems.length < FIRST_PROBLEMS) problems.push({ line: front.lines, problem });
    },
    ...(of > 1 ? { share: { index: publisher, of } } : {}),
  });
  const js = nc.jetstream();
  const out: OutBatch[] = [];
  let batches = 0;
  for await (const chunk of chunks) {
    front.push(chunk, out);
    if (out.length >= 64) batches += await publishBatches(js, job, out.splice(0));
  }
  front.end(out);
  partitioner.finish(out);
  batches += await publishBatches(js, job, out.splice(0));
  return { actions: front.actions, events: partitioner.events, batches, rejected: front.rejected, problems };
}
