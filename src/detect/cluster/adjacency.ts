/**
 * Neighbour lists of a subset of a graph's edges, read like a `Map<actor, Map<neighbour, edge>>`
 * built by linking each edge both ways in edge order, but held in four typed arrays (about 8 bytes
 * per link instead of a map entry of about 40 and a map per actor). Clustering keeps one over the
 * edges inside Leiden communities (millions at 10M events) through pruning, refinement and scoring.
 */

/** What clustering reads of an adjacency (a `Map<number, Map<number, number>>` is one too). */
export interface ReadonlyAdjacency {
  /** The actor's neighbours with the edge to each, in edge order; undefined when it has none. */
  get(actor: number): { keys(): Iterable<number>; [Symbol.iterator](): Iterator<[number, number]> } | undefined;
}

/** One actor's neighbours: `keys()` are the neighbours, iteration gives [neighbour, edge]. */
class AdjacencyRow {
  constructor(private readonly others: Int32Array, private readonly edges: Int32Array) {}

  keys(): Int32Array {
    return this.others;
  }

  *[Symbol.iterator](): Iterator<[number, number]> {
    for (let i = 0; i < this.others.length; i++) yield [this.others[i] ?? 0, this.edges[i] ?? 0];
  }
}

/** The adjacency of the edges `include` accepts, both ways. */
export class EdgeAdjacency implements ReadonlyAdjacency {
  private readonly start: Int32Array;
  private readonly others: Int32Array;
  private readonly edges: Int32Array;
  private readonly order: Int32Array;

  /**
   * Edges `0 <= e < size` join `a[e]` and `b[e]` (actors below `actorCount`); `include(e)` says
   * which are kept. Each actor's row lists its neighbours in edge order; actors come in the order
   * they first appear in a[0], b[0], a[1], b[1], … of the kept edges (a map's insertion order).
   * @example
   * const inside = new EdgeAdjacency(actorCount, graph.a, graph.b, graph.size, (e) => community[graph.a[e]] === community[graph.b[e]]);
   * for (const [other, edge] of inside.get(actor) ?? []) { … }
   */
  constructor(actorCount: number, a: Int32Array, b: Int32Array, size: number, include: (edge: number) => boolean) {
    const kept = new Uint8Array(size);
    const start = new Int32Array(actorCount + 1);
    const seen = new Uint8Array(actorCount);
    let actors = 0;
    for (let edge = 0; edge < size; edge++) {
      if (!include(edge)) continue;
      kept[edge] = 1;
      const x = a[edge] ?? 0;
      const y = b[edge] ?? 0;
      start[x + 1]!++;
      start[y + 1]!++;
      if (seen[x] === 0) { seen[x] = 1; actors++; }
      if (seen[y] === 0) { seen[y] = 1; actors++; }
    }
    for (let actor = 0; actor < actorCount; actor++) start[actor + 1]! += start[actor] ?? 0;
    const links = start[actorCount] ?? 0;
    const others = new Int32Array(links);
    const edges = new Int32Array(links);
    const order = new Int32Array(actors);
    const fill = start.slice(0, actorCount);
    seen.fill(0);
    let next = 0;
    for (let edge = 0; edge < size; edge++) {
      if (kept[edge] === 0) continue;
      const x = a[edge] ?? 0;
      const y = b[edge] ?? 0;
      const atX = fill[x]!++;
      others[atX] = y;
      edges[atX] = edge;
      const atY = fill[y]!++;
      others[atY] = x;
      edges[atY] = edge;
      if (seen[x] === 0) { seen[x] = 1; order[next++] = x; }
      if (seen[y] === 0) { seen[y] = 1; order[next++] = y; }
    }
    this.start = start;
    this.others = others;
    this.edges = edges;
    this.order = order;
  }

  get(actor: number): AdjacencyRow | undefined {
    const from = this.start[actor] ?? 0;
    const to = this.start[actor + 1] ?? 0;
    return to > from ? new AdjacencyRow(this.others.subarray(from, to), this.edges.subarray(from, to)) : undefined;
  }

  /** Actors with at least one neighbour, in the order they first appear in the kept edges. */
  keys(): Int32Array {
    return this.order;
  }
}
