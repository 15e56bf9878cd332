/**
 * The fused account network as the writers take it: nodes and edges as iterables (read once, in
 * order, so a 10M-edge graph never has to be held as strings), and the attribute declarations
 * the file headers need before the first node.
 */
import { LockstepError } from '../../model/index.js';

export type AttributeType = 'string' | 'integer' | 'double';
export type AttributeValue = string | number;

/** An extra node attribute (beyond label, cluster and score), declared once for the whole file. */
export interface NodeAttribute {
  name: string;
  type: AttributeType;
}

export interface ExportNode {
  /** The account id exactly as in the input. */
  id: string;
  /** Shown by Gephi; the id when absent. */
  label?: string;
  /** The cluster the account was placed in; null when none. */
  cluster: number | null;
  /** The account's coordination score; null when not scored. */
  score: number | null;
  /** Values of the declared extra attributes; absent or null means no value. */
  attributes?: Readonly<Record<string, AttributeValue | null | undefined>>;
}

export interface ExportEdge {
  source: string;
  target: string;
  /** Fused weight. */
  weight: number;
  /** Weight in each trace, keyed by trace name; a trace absent here weighs 0 for this edge. */
  perTrace: Readonly<Record<string, number>>;
}

export interface NetworkExport {
  /** Every node once; edges may only name these ids. */
  nodes: Iterable<ExportNode>;
  /** Each unordered pair once (the network is undirected). */
  edges: Iterable<ExportEdge>;
  /** Trace names, e.g. `co_repost`; each becomes an edge attribute `w_<name>`. */
  traceNames: readonly string[];
  /** Extra node attributes, in column order. */
  nodeAttributes?: readonly NodeAttribute[];
}

/** Node attribute names the writers themselves use (and igraph's `id`). */
const RESERVED_NODE_ATTRIBUTES = new Set(['id', 'label', 'cluster', 'score']);

/** The edge attribute (and edges.csv column) of a trace. */
export function traceAttributeName(trace: string): string {
  return `w_${trace}`;
}

export function badExport(where: string, reason: string): LockstepError {
  return new LockstepError('detect/bad-input', `network export: ${where}: ${reason}`);
}

/** Checks the declarations: trace names non-empty and distinct, extra node attributes distinct and not reserved. */
export function checkDeclarations(traceNames: readonly string[], nodeAttributes: readonly NodeAttribute[]): void {
  const traces = new Set<string>();
  for (const trace of traceNames) {
    if (trace === '') throw badExport('traceNames', 'a trace name is empty');
    if (traces.has(trace)) throw badExport('traceNames', `trace "${trace}" is listed twice`);
    traces.add(trace);
  }
  const names = new Set<string>();
  for (const { name, type } of nodeAttributes) {
    if (name === '') throw badExport('nodeAttributes', 'an attribute name is empty');
    if (RESERVED_NODE_ATTRIBUTES.has(name)) throw badExport('nodeAttributes', `"${name}" is written by the exporter itself; rename the attribute`);
    if (names.has(name)) throw badExport('nodeAttributes', `attribute "${name}" is declared twice`);
    if (type !== 'string' && type !== 'integer' && type !== 'double') throw badExport('nodeAttributes', `attribute "${name}" has unknown type "${String(type)}"`);
    names.add(name);
  }
}

/** A number as text that parses back to the same double (JS shortest round-trip form). */
export function numberText(value: number, where: string, type: 'integer' | 'double'): string {
  if (!Number.isFinite(value)) throw badExport(where, `${value} is not a finite number`);
  if (type === 'integer' && !Number.isSafeInteger(value)) throw badExport(where, `${value} is not an integer (or is beyond 2^53)`);
  return String(value);
}

/** An attribute value as text of its declared type. */
export function attributeText(value: AttributeValue, type: AttributeType, where: string): string {
  if (type === 'string') return typeof value === 'number' ? numberText(value, where, 'double') : value;
  if (typeof value !== 'number') throw badExport(where, `expected a number (${type}), got the string "${value}"`);
  return numberText(value, where, type);
}

/**
 * Tracks node ids while nodes stream past, so that duplicate nodes and edges to unknown nodes
 * are caught (both make a file that Gephi or igraph misreads) at the cost of one set of ids.
 */
export class NodeIds {
  private readonly ids = new Set<string>();

  add(id: string, index: number): void {
    if (typeof id !== 'string') throw badExport(`node ${index}`, 'the id must be a string');
    if (this.ids.has(id)) throw badExport(`node ${index}`, `id ${JSON.stringify(id)} appears twice`);
    this.ids.add(id);
  }

  checkEdge(edge: ExportEdge, index: number, traces: ReadonlySet<string>): void {
    const where = `edge ${index}`;
    if (!this.ids.has(edge.source)) throw badExport(where, `source ${JSON.stringify(edge.source)} is not a node`);
    if (!this.ids.has(edge.target)) throw badExport(where, `target ${JSON.stringify(edge.target)} is not a node`);
    checkPerTrace(edge, where, traces);
  }
}

/** Every key of `perTrace` must be a declared trace. */
export function checkPerTrace(edge: ExportEdge, where: string, traces: ReadonlySet<string>): void {
  for (const trace of Object.keys(edge.perTrace)) {
    if (!traces.has(trace)) throw badExport(where, `weight for trace "${trace}", which is not in traceNames`);
  }
}

/**
 * Joins small strings into chunks of about `size` characters: writing one chunk per node or edge
 * would cost a stream write per line.
 */
export class ChunkBuffer {
  private text = '';
  constructor(private readonly size: number) {}

  /** Appends `part`; returns a full chunk to emit, or null. */
  push(part: string): string | null {
    this.text += part;
    if (this.text.length < this.size) return null;
    const chunk = this.text;
    this.text = '';
    return chunk;
  }

  /** What is left (possibly ''). */
  flush(): string {
    const chunk = this.text;
    this.text = '';
    return chunk;
  }
}
