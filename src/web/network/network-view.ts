/**
 * The cluster's network in sigma.js (WebGL): ForceAtlas2 layout (synchronous for small networks, in a web worker
 * for large ones so the page never freezes), hover highlights a node and its neighbours, click selects.
 */
import Sigma from 'sigma';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import type { ClusterGraph, EdgeAttrs, NodeAttrs } from './build-graph.js';
import { layoutInWorker } from './layout.js';
import type { RunningLayout } from './layout.js';

export const NETWORK_DEFAULTS = {
  /** Up to this many nodes the layout runs to completion before the first frame. */
  syncLayoutMaxNodes: 600,
  syncIterations: 120,
  /** Larger networks lay out in a web worker, drawn as they settle. */
  workerIterations: 100,
  dimColor: '#d9dee4',
  selectColor: '#d62828',
};

export interface NetworkHandlers {
  onSelectNode(node: string | null): void;
  onSelectEdge(source: string, target: string): void;
}

/** What tests and measurements read (exposed on `window.lockstepNetwork`). */
export interface NetworkProbe {
  nodes: number;
  edges: number;
  hovered: string | null;
  selected: string | null;
  renders: number;
  layoutRunning: boolean;
  /** Milliseconds to lay out (small networks) and set up sigma, and to the first frame drawn after that. */
  constructedMs: number;
  firstFrameMs: number | null;
  /** Milliseconds from the start until the layout settled (the worker's last positions applied). */
  layoutMs: number | null;
  /** Milliseconds from the input event to the frame that showed its effect, for the last hover and the last click. */
  hoverLatencyMs: number | null;
  clickLatencyMs: number | null;
  /** Where a node is on screen, relative to the container. */
  viewportPosition(node: string): { x: number; y: number } | null;
  firstNodes(count: number): string[];
}

export interface NetworkView {
  select(node: string | null): void;
  probe: NetworkProbe;
  kill(): void;
}

/** Draws `graph` into `container` and wires hover and selection. */
export function createNetworkView(container: HTMLElement, graph: ClusterGraph, handlers: NetworkHandlers, options: Partial<typeof NETWORK_DEFAULTS> = {}): NetworkView {
  const settings = { ...NETWORK_DEFAULTS, ...options };
  let hovered: string | null = null;
  let selected: string | null = null;
  let focusNeighbours = new Set<string>();
  let pending: { kind: 'hover' | 'click'; at: number } | null = null;

  const focus = (): string | null => hovered ?? selected;
  const refreshFocus = (): void => {
    const node = focus();
    focusNeighbours = node === null || !graph.hasNode(node) ? new Set() : new Set(graph.neighbors(node));
  };

  const startedAt = performance.now();
  const large = graph.order > settings.syncLayoutMaxNodes;
  if (!large && graph.order > 1) {
    forceAtlas2.assign(graph, { iterations: settings.syncIterations, settings: forceAtlas2.inferSettings(graph), getEdgeWeight: 'weight' });
  }

  const sigma = new Sigma<NodeAttrs, EdgeAttrs>(graph, container, {
    enableEdgeEvents: true,
    hideEdgesOnMove: large,
    labelRenderedSizeThreshold: large ? 12 : 6,
    zIndex: true,
    nodeReducer: (node, data) => {
      const current = focus();
      if (current === null) return node === selected ? { ...data, color: settings.selectColor, zIndex: 2 } : data;
      if (node === current) return { ...data, color: node === selected ? settings.selectColor : data.color, highlighted: true, zIndex: 2, forceLabel: true };
      if (focusNeighbours.has(node)) return { ...data, zIndex: 1, forceLabel: focusNeighbours.size <= 40 };
      return { ...data, color: settings.dimColor, label: null, zIndex: 0 };
    },
    edgeReducer: (edge, data) => {
      const current = focus();
      if (current === null) return data;
      return graph.hasExtremity(edge, current) ? { ...data, zIndex: 1, size: data.size + 1 } : { ...data, hidden: true };
    },
  });

  const constructedMs = performance.now() - startedAt;
  let renders = 0;
  let firstFrameMs: number | null = null;
  const latency: { hover: number | null; click: number | null } = { hover: null, click: null };
  sigma.on('afterRender', () => {
    renders += 1;
    firstFrameMs ??= performance.now() - startedAt;
    if (pending !== null) {
      latency[pending.kind] = performance.now() - pending.at;
      pending = null;
    }
  });

  const redraw = (kind: 'hover' | 'click', at: number): void => {
    refreshFocus();
    pending = { kind, at };
    sigma.refresh({ skipIndexation: true });
  };
  const eventTime = (payload: { event: { original: Event } }): number => {
    const stamp = payload.event.original.timeStamp;
    return stamp > 0 ? stamp : performance.now();
  };

  sigma.on('enterNode', (payload) => { hovered = payload.node; redraw('hover', eventTime(payload)); });
  sigma.on('leaveNode', (payload) => { hovered = null; redraw('hover', eventTime(payload)); });
  sigma.on('clickNode', (payload) => {
    selected = payload.node;
    redraw('click', eventTime(payload));
    handlers.onSelectNode(payload.node);
  });
  sigma.on('clickEdge', (payload) => {
    const [source, target] = graph.extremities(payload.edge);
    handlers.onSelectEdge(source, target);
  });
  sigma.on('clickStage', (payload) => {
    if (selected === null) return;
    selected = null;
    redraw('click', eventTime(payload));
    handlers.onSelectNode(null);
  });

  const layout: RunningLayout | null = large ? layoutInWorker(graph, { iterations: settings.workerIterations, chunk: Math.ceil(settings.workerIterations / 2) }) : null;
  let layoutMs: number | null = large ? null : constructedMs;
  void layout?.finished.then(() => { layoutMs = performance.now() - startedAt; });

  const probe: NetworkProbe = {
    nodes: graph.order,
    edges: graph.size,
    get hovered() { return hovered; },
    get selected() { return selected; },
    get renders() { return renders; },
    get layoutRunning() { return layout?.isRunning() ?? false; },
    constructedMs,
    get firstFrameMs() { return firstFrameMs; },
    get layoutMs() { return layoutMs; },
    get hoverLatencyMs() { return latency.hover; },
    get clickLatencyMs() { return latency.click; },
    viewportPosition(node) {
      if (!graph.hasNode(node)) return null;
      const { x, y } = graph.getNodeAttributes(node);
      return sigma.graphToViewport({ x, y });
    },
    firstNodes(count) { return graph.nodes().slice(0, count); },
  };

  return {
    probe,
    select(node) {
      selected = node !== null && graph.hasNode(node) ? node : null;
      redraw('click', performance.now());
    },
    kill() {
      layout?.cancel();
      sigma.kill();
    },
  };
}
