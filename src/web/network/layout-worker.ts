/** Web worker: ForceAtlas2 (graphology-layout-forceatlas2) on a serialized graph, posting positions every few iterations. */
import { UndirectedGraph } from 'graphology';
import type { SerializedGraph } from 'graphology-types';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import type { ForceAtlas2Settings } from 'graphology-layout-forceatlas2';

export interface LayoutRequest { graph: SerializedGraph; iterations: number; chunk: number; settings: ForceAtlas2Settings }
/** Positions as [x0, y0, x1, y1, …] in the order of `graph.nodes`; `done` on the last message. */
export interface LayoutProgress { positions: Float32Array; iterations: number; done: boolean }

const scope = globalThis as unknown as { onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null; postMessage(message: LayoutProgress, transfer: Transferable[]): void };

scope.onmessage = (event) => {
  const { iterations, chunk, settings } = event.data;
  const graph = new UndirectedGraph();
  graph.import(event.data.graph);
  const order = graph.nodes();
  let run = 0;
  while (run < iterations) {
    const step = Math.min(chunk, iterations - run);
    forceAtlas2.assign(graph, { iterations: step, settings, getEdgeWeight: 'weight' });
    run += step;
    const positions = new Float32Array(order.length * 2);
    order.forEach((node, index) => {
      positions[index * 2] = graph.getNodeAttribute(node, 'x') as number;
      positions[index * 2 + 1] = graph.getNodeAttribute(node, 'y') as number;
    });
    scope.postMessage({ positions, iterations: run, done: run >= iterations }, [positions.buffer]);
  }
};
