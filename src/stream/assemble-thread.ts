/**
 * The thread of an AssembleHelper (assemble-helper.ts): holds the columns of the traces it sums
 * as each partial is collected, then, given the job's label ranks, sums those traces and runs
 * their null model, exactly as assemblePartials does on the main thread, and sends back the edges.
 */
import { parentPort } from 'node:worker_threads';
import { MergeBuffers } from './pair-merge.js';
import { traceEdges } from './assemble.js';
import type { TraceBuffers } from './assemble.js';
import type { HelperReply, HelperRequest } from './assemble-helper.js';
import type { PartitionPartial } from './partial-codec.js';

const port = parentPort!;
const held = new Map<number, PartitionPartial>();
port.on('message', (request: HelperRequest) => {
  if (request.kind === 'partial') {
    held.set(request.partition, { partition: request.partition, actors: [], traces: request.traces, events: 0, duplicates: 0 });
    return;
  }
  let reply: HelperReply;
  try {
    const partitions = request.partitions.map((partition) => {
      const partial = held.get(partition);
      if (partial === undefined) throw new Error(`partition ${partition}'s partial was never given to this thread`);
      return partial;
    });
    const buffers: TraceBuffers = { activity: new Float64Array(request.n), merge: new MergeBuffers(request.n) };
    reply = { kind: 'edges', edges: request.traces.map((trace) => traceEdges(partitions, request.globals, trace, request.n, request, buffers)) };
  } catch (error) {
    reply = { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  held.clear();
  port.postMessage(reply);
});
