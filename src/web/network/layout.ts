/** Runs ForceAtlas2 off the main thread so that a large network stays interactive while it settles. */
import forceAtlas2 from 'graphology-layout-forceatlas2';
import type { ClusterGraph } from './build-graph.js';
import type { LayoutProgress, LayoutRequest } from './layout-worker.js';

export const WORKER_LAYOUT_DEFAULTS = { iterations: 150, chunk: 30 };

export interface RunningLayout {
  /** Resolves when the last positions are applied (or the layout was cancelled). */
  finished: Promise<void>;
  isRunning(): boolean;
  cancel(): void;
}

/**
 * Lays `graph` out in a web worker, writing positions back every `chunk` iterations (sigma redraws on each).
 * Barnes–Hut is on: exact repulsion is quadratic in the number of accounts.
 */
export function layoutInWorker(graph: ClusterGraph, options: Partial<typeof WORKER_LAYOUT_DEFAULTS> = {}): RunningLayout {
  const { iterations, chunk } = { ...WORKER_LAYOUT_DEFAULTS, ...options };
  const worker = new Worker(new URL('./layout-worker.ts', import.meta.url), { type: 'module' });
  const order = graph.nodes();
  const indexOf = new Map(order.map((node, index) => [node, index]));
  let running = true;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  const stop = (): void => {
    running = false;
    worker.terminate();
    finish();
  };
  worker.onmessage = (event: MessageEvent<LayoutProgress>) => {
    if (!running) return;
    const { positions, done } = event.data;
    graph.updateEachNodeAttributes((node, attrs) => {
      const index = indexOf.get(node) ?? -1;
      if (index < 0) return attrs;
      attrs.x = positions[index * 2] ?? attrs.x;
      attrs.y = positions[index * 2 + 1] ?? attrs.y;
      return attrs;
    });
    if (done) stop();
  };
  worker.onerror = () => stop();
  const request: LayoutRequest = {
    graph: graph.export(),
    iterations,
    chunk,
    // Theta 1.2 (Gephi's default) rather than 0.5: about 2.5 times less CPU for a layout that looks the same.
    settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: true, barnesHutTheta: 1.2 },
  };
  worker.postMessage(request);
  return { finished, isRunning: () => running, cancel: stop };
}
