/**
 * GEXF 1.3 (gexf.net, Gephi's format) and GraphML (graphml.graphdrawing.org; read by igraph's
 * `read_graph(format='graphml')`, networkx's `read_graphml` and Gephi) writers for the fused
 * account network, as generators of text chunks: the caller writes each chunk to a stream, so
 * memory stays bounded by the set of node ids however many edges stream past.
 *
 * Both files carry, per node, its label, cluster and score plus any declared extra attributes,
 * and per edge its fused weight plus one attribute `w_<trace>` per trace, declared with default
 * 0. By default every edge carries every trace's value, zeros included: networkx keeps declared
 * defaults aside (`G.graph['edge_default']`) rather than filling them in, so an omitted zero
 * would be a missing key there. `omitZeroTraceWeights` leaves the zeros out (most edges come
 * from one or two traces, so this shrinks a many-trace file a lot); Gephi and igraph then fill
 * in the default. Numbers are written in JavaScript's shortest round-trip form, so every double
 * reads back exactly. Untrusted strings go through `xmlText`.
 */
import type { AttributeType, ExportEdge, ExportNode, NetworkExport, NodeAttribute } from './network.js';
import { ChunkBuffer, NodeIds, attributeText, checkDeclarations, numberText, traceAttributeName } from './network.js';
import { xmlText } from './xml.js';

export interface GraphFormatOptions {
  /** Free text stored in the file (GEXF `<meta><description>`, GraphML `<desc>`); null for none. */
  description: string | null;
  /** GEXF `lastmodifieddate` (YYYY-MM-DD, from the caller's clock); null leaves it out, keeping output reproducible. */
  lastModified: string | null;
  /** Leave out per-trace weights of 0 (readers that apply declared defaults see 0 anyway). */
  omitZeroTraceWeights: boolean;
  /** Approximate characters per chunk yielded. */
  chunkChars: number;
}

export const GRAPH_FORMAT_DEFAULTS: Readonly<GraphFormatOptions> = Object.freeze({
  description: null,
  lastModified: null,
  omitZeroTraceWeights: false,
  chunkChars: 1 << 16,
});

const GEXF_TYPE: Readonly<Record<AttributeType, string>> = { string: 'string', integer: 'long', double: 'double' };
const GRAPHML_TYPE: Readonly<Record<AttributeType, string>> = { string: 'string', integer: 'long', double: 'double' };

/** One node value to write: the attribute's position in the declarations, and its text. */
interface NodeValues {
  label: string;
  values: Array<{ slot: number; text: string }>;
}

/**
 * The network as GEXF 1.3, undirected and static. Node attributes `cluster` (long), `score`
 * (double) and the declared extras; the edge's fused weight in the standard `weight` XML
 * attribute and one `w_<trace>` attribute (double, default 0) per trace.
 * @example
 * const out = createWriteStream('network.gexf');
 * for (const chunk of gexfChunks(network)) if (!out.write(chunk)) await once(out, 'drain');
 */
export function* gexfChunks(graph: NetworkExport, options?: Partial<GraphFormatOptions>): Generator<string, void, undefined> {
  const opts: GraphFormatOptions = { ...GRAPH_FORMAT_DEFAULTS, ...options };
  const extras = graph.nodeAttributes ?? [];
  checkDeclarations(graph.traceNames, extras);
  const buffer = new ChunkBuffer(opts.chunkChars);
  const header: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ',
    'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n',
    opts.lastModified === null ? '  <meta>\n' : `  <meta lastmodifieddate="${xmlText(opts.lastModified)}">\n`,
    '    <creator>lockstep</creator>\n',
    opts.description === null ? '' : `    <description>${xmlText(opts.description)}</description>\n`,
    '  </meta>\n',
    '  <graph defaultedgetype="undirected" mode="static">\n',
    '    <attributes class="node" mode="static">\n',
    '      <attribute id="cluster" title="cluster" type="long"/>\n',
    '      <attribute id="score" title="score" type="double"/>\n',
    ...extras.map((a, i) => `      <attribute id="n${i}" title="${xmlText(a.name)}" type="${GEXF_TYPE[a.type]}"/>\n`),
    '    </attributes>\n',
    '    <attributes class="edge" mode="static">\n',
    ...graph.traceNames.map((t, i) => `      <attribute id="t${i}" title="${xmlText(traceAttributeName(t))}" type="double"><default>0</default></attribute>\n`),
    '    </attributes>\n',
    '    <nodes>\n',
  ];
  for (const part of header) {
    const chunk = buffer.push(part);
    if (chunk !== null) yield chunk;
  }

  const nodeIds = new NodeIds();
  const nodeSlotIds = ['cluster', 'score', ...extras.map((_, i) => `n${i}`)];
  let index = 0;
  for (const node of graph.nodes) {
    nodeIds.add(node.id, index);
    const { label, values } = nodeValues(node, extras, index++);
    let line = `      <node id="${xmlText(node.id)}" label="${xmlText(label)}"`;
    if (values.length === 0) line += '/>\n';
    else {
      line += '><attvalues>';
      for (const { slot, text } of values) line += `<attvalue for="${nodeSlotIds[slot]}" value="${xmlText(text)}"/>`;
      line += '</attvalues></node>\n';
    }
    const chunk = buffer.push(line);
    if (chunk !== null) yield chunk;
  }

  const opening = buffer.push('    </nodes>\n    <edges>\n');
  if (opening !== null) yield opening;
  const traces = new Set(graph.traceNames);
  index = 0;
  for (const edge of graph.edges) {
    nodeIds.checkEdge(edge, index, traces);
    const where = `edge ${index}`;
    let line = `      <edge id="${index++}" source="${xmlText(edge.source)}" target="${xmlText(edge.target)}" weight="${numberText(edge.weight, `${where} weight`, 'double')}"`;
    const values = traceValues(edge, graph.traceNames, where, opts.omitZeroTraceWeights);
    if (values.length === 0) line += '/>\n';
    else {
      line += '><attvalues>';
      for (const { slot, text } of values) line += `<attvalue for="t${slot}" value="${text}"/>`;
      line += '</attvalues></edge>\n';
    }
    const chunk = buffer.push(line);
    if (chunk !== null) yield chunk;
  }
  yield `${buffer.flush()}    </edges>\n  </graph>\n</gexf>\n`;
}

/**
 * The network as GraphML, undirected, with a `<key>` for every attribute: node `label`
 * (string), `cluster` (long), `score` (double) and the declared extras; edge `weight` (double)
 * and `w_<trace>` (double, default 0) per trace. Node ids are the account ids, so igraph's `id`
 * vertex attribute and networkx's node keys are the accounts.
 * @example
 * for (const chunk of graphmlChunks(network, { description: 'lockstep detect, window 60 s' })) out.write(chunk);
 */
export function* graphmlChunks(graph: NetworkExport, options?: Partial<GraphFormatOptions>): Generator<string, void, undefined> {
  const opts: GraphFormatOptions = { ...GRAPH_FORMAT_DEFAULTS, ...options };
  const extras = graph.nodeAttributes ?? [];
  checkDeclarations(graph.traceNames, extras);
  const buffer = new ChunkBuffer(opts.chunkChars);
  // Key ids: d0 label, d1 cluster, d2 score, d3.. extras; then the edge keys.
  const edgeKeyBase = 3 + extras.length;
  const header: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ',
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n',
    '  <key id="d0" for="node" attr.name="label" attr.type="string"/>\n',
    '  <key id="d1" for="node" attr.name="cluster" attr.type="long"/>\n',
    '  <key id="d2" for="node" attr.name="score" attr.type="double"/>\n',
    ...extras.map((a, i) => `  <key id="d${3 + i}" for="node" attr.name="${xmlText(a.name)}" attr.type="${GRAPHML_TYPE[a.type]}"/>\n`),
    `  <key id="d${edgeKeyBase}" for="edge" attr.name="weight" attr.type="double"/>\n`,
    ...graph.traceNames.map((t, i) => `  <key id="d${edgeKeyBase + 1 + i}" for="edge" attr.name="${xmlText(traceAttributeName(t))}" attr.type="double"><default>0</default></key>\n`),
    '  <graph id="G" edgedefault="undirected">\n',
    opts.description === null ? '' : `    <desc>${xmlText(opts.description)}</desc>\n`,
  ];
  for (const part of header) {
    const chunk = buffer.push(part);
    if (chunk !== null) yield chunk;
  }

  const nodeIds = new NodeIds();
  let index = 0;
  for (const node of graph.nodes) {
    nodeIds.add(node.id, index);
    const { label, values } = nodeValues(node, extras, index++);
    let line = `    <node id="${xmlText(node.id)}"><data key="d0">${xmlText(label)}</data>`;
    for (const { slot, text } of values) line += `<data key="d${slot + 1}">${xmlText(text)}</data>`;
    const chunk = buffer.push(`${line}</node>\n`);
    if (chunk !== null) yield chunk;
  }

  const traces = new Set(graph.traceNames);
  index = 0;
  for (const edge of graph.edges) {
    nodeIds.checkEdge(edge, index, traces);
    const where = `edge ${index++}`;
    let line = `    <edge source="${xmlText(edge.source)}" target="${xmlText(edge.target)}">`;
    line += `<data key="d${edgeKeyBase}">${numberText(edge.weight, `${where} weight`, 'double')}</data>`;
    for (const { slot, text } of traceValues(edge, graph.traceNames, where, opts.omitZeroTraceWeights)) line += `<data key="d${edgeKeyBase + 1 + slot}">${text}</data>`;
    const chunk = buffer.push(`${line}</edge>\n`);
    if (chunk !== null) yield chunk;
  }
  yield `${buffer.flush()}  </graph>\n</graphml>\n`;
}

/** Slot 0 is cluster, 1 score, 2 + i the i-th extra; values checked against their declared types. */
function nodeValues(node: ExportNode, extras: readonly NodeAttribute[], index: number): NodeValues {
  const where = `node ${index} (${JSON.stringify(node.id)})`;
  const values: NodeValues['values'] = [];
  if (node.cluster !== null) values.push({ slot: 0, text: numberText(node.cluster, `${where} cluster`, 'integer') });
  if (node.score !== null) values.push({ slot: 1, text: numberText(node.score, `${where} score`, 'double') });
  for (let i = 0; i < extras.length; i++) {
    const { name, type } = extras[i]!;
    const value = node.attributes?.[name];
    if (value === null || value === undefined) continue;
    values.push({ slot: 2 + i, text: attributeText(value, type, `${where} ${name}`) });
  }
  return { label: node.label ?? node.id, values };
}

/** Per-trace weights in declaration order (slot = the trace's index), a missing trace being 0. */
function traceValues(edge: ExportEdge, traceNames: readonly string[], where: string, omitZeros: boolean): Array<{ slot: number; text: string }> {
  const values: Array<{ slot: number; text: string }> = [];
  for (let i = 0; i < traceNames.length; i++) {
    const value = edge.perTrace[traceNames[i]!] ?? 0;
    if (omitZeros && value === 0) continue;
    values.push({ slot: i, text: numberText(value, `${where} ${traceAttributeName(traceNames[i]!)}`, 'double') });
  }
  return values;
}
