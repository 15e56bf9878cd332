/**
 * network.gexf and network.graphml of `lockstep detect`, written on a worker thread while the main
 * thread writes edges.csv and clusters.json. At 10M CooRTweet rows (45,000 network edges) the two
 * XML files took 0.6 s of the 1.6 s output stage on the main thread, clusters.json 0.57 s; the
 * worker gets the network as plain arrays (a structured clone of a few MB), not the whole graph.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { startWorkerBeside } from '../../worker-thread.js';
import { gexfChunks, graphmlChunks } from '../../detect/output/index.js';
import type { ExportEdge, ExportNode, NetworkExport } from '../../detect/output/index.js';

/**
 * Text the writers may queue ahead of the disk. With the default 16 KB nearly every chunk of
 * clusters.json (one cluster, ~38 KB at 10M events) waited for the thread-pool's write before the
 * next was made; with 1 MB the next clusters are made while the last ones are written.
 */
const WRITE_AHEAD_BYTES = 1 << 20;

export async function writeChunks(path: string, chunks: Iterable<string>): Promise<void> {
  const stream = createWriteStream(path, { encoding: 'utf8', highWaterMark: WRITE_AHEAD_BYTES });
  for (const chunk of chunks) if (!stream.write(chunk)) await once(stream, 'drain');
  stream.end();
  await once(stream, 'finish');
}

/** The network the two files are written from, as arrays a worker can receive. */
export interface GraphFilesRequest {
  dir: string;
  nodes: ExportNode[];
  edges: ExportEdge[];
  traceNames: string[];
}

/** Writes network.gexf, then network.graphml, into `dir` (on this thread). */
export async function writeGraphFiles(dir: string, network: NetworkExport): Promise<void> {
  await writeChunks(join(dir, 'network.gexf'), gexfChunks(network));
  await writeChunks(join(dir, 'network.graphml'), graphmlChunks(network));
}

export interface GraphFilesOptions {
  /** Fewer edges than this are written on the main thread: a worker's start (about 40 ms) would cost more than it saves. */
  minWorkerEdges: number;
  /** More edges than this are written on the main thread too, from the graph, not copied into arrays for a worker (memory). */
  maxWorkerEdges: number;
}

export const GRAPH_FILES_DEFAULTS: Readonly<GraphFilesOptions> = Object.freeze({ minWorkerEdges: 10_000, maxWorkerEdges: 1_000_000 });

/**
 * Starts writing the two files on a worker. `done` rejects with the worker's error (a file that
 * cannot be written, a crash); it is already handled, so a failure before the caller awaits it
 * does not end the process as an unhandled rejection, and the caller's await still throws it.
 * `stop` ends the worker (when the caller failed itself).
 */
export function startGraphFilesWorker(request: GraphFilesRequest): { done: Promise<void>; stop: () => void } {
  const worker = startWorkerBeside(import.meta.url, 'graph-files-worker', request);
  const done = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the worker writing network.gexf and network.graphml stopped (exit code ${code})`)));
  });
  done.catch(() => undefined);
  return { done, stop: () => void worker.terminate() };
}
