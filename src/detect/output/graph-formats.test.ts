import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LockstepError } from '../../model/index.js';
import { gexfChunks, graphmlChunks } from './graph-formats.js';
import type { GraphFormatOptions } from './graph-formats.js';
import type { ExportEdge, ExportNode, NetworkExport } from './network.js';
import { elementsNamed, parseXml } from './test-support/xml-check.js';
import type { XmlElement } from './test-support/xml-check.js';
import { decodeXmlSafe } from './xml.js';

type Writer = (graph: NetworkExport, options?: Partial<GraphFormatOptions>) => Iterable<string>;
const WRITERS: ReadonlyArray<[string, Writer]> = [['gexf', gexfChunks], ['graphml', graphmlChunks]];

const text = (writer: Writer, graph: NetworkExport, options?: Partial<GraphFormatOptions>): string => [...writer(graph, options)].join('');

const SAMPLE: NetworkExport = {
  nodes: [
    { id: '1184032918', label: '香港加油 🇭🇰', cluster: 0, score: 0.92, attributes: { screen_name: 'hk_news_24', followers: 5_001 } },
    { id: 'c3VwZXJzZWNyZXQ=', cluster: 0, score: 0.5, attributes: { screen_name: null } },
    { id: 'x&y', cluster: 1, score: null },
  ],
  edges: [
    { source: '1184032918', target: 'c3VwZXJzZWNyZXQ=', weight: 3.25, perTrace: { co_repost: 3, co_link: 0.25 } },
    { source: 'c3VwZXJzZWNyZXQ=', target: 'x&y', weight: 0.1, perTrace: { co_link: 0.1 } },
  ],
  traceNames: ['co_repost', 'co_link'],
  nodeAttributes: [{ name: 'screen_name', type: 'string' }, { name: 'followers', type: 'integer' }],
};

interface ReadBack {
  /** Node id -> attribute name -> value, as a reader would see them. */
  nodes: Map<string, Map<string, string>>;
  edges: Array<{ source: string; target: string; values: Map<string, string> }>;
  declared: { node: Map<string, string>; edge: Map<string, string> };
}

/** Reads a GEXF document the way Gephi and networkx do: attvalues through the attribute declarations. */
function readGexf(root: XmlElement): ReadBack {
  const declared = { node: new Map<string, string>(), edge: new Map<string, string>() };
  const titles = { node: new Map<string, string>(), edge: new Map<string, string>() };
  for (const block of elementsNamed(root, 'attributes')) {
    const cls = block.attributes.get('class') as 'node' | 'edge';
    for (const a of block.children) {
      titles[cls].set(a.attributes.get('id')!, a.attributes.get('title')!);
      declared[cls].set(a.attributes.get('title')!, a.attributes.get('type')!);
    }
  }
  const values = (element: XmlElement, cls: 'node' | 'edge'): Map<string, string> => {
    const map = new Map<string, string>();
    for (const v of elementsNamed(element, 'attvalue')) {
      const title = titles[cls].get(v.attributes.get('for')!);
      assert.ok(title !== undefined, `attvalue for an undeclared attribute ${v.attributes.get('for')}`);
      map.set(title, v.attributes.get('value')!);
    }
    return map;
  };
  const nodes = new Map<string, Map<string, string>>();
  for (const node of elementsNamed(root, 'node')) {
    const map = values(node, 'node');
    map.set('label', node.attributes.get('label')!);
    nodes.set(node.attributes.get('id')!, map);
  }
  const edges = elementsNamed(root, 'edge').map((edge) => {
    const map = values(edge, 'edge');
    map.set('weight', edge.attributes.get('weight')!);
    return { source: edge.attributes.get('source')!, target: edge.attributes.get('target')!, values: map };
  });
  return { nodes, edges, declared };
}

/** Reads a GraphML document the way igraph and networkx do: data elements through the keys. */
function readGraphml(root: XmlElement): ReadBack {
  const declared = { node: new Map<string, string>(), edge: new Map<string, string>() };
  const keys = new Map<string, { domain: 'node' | 'edge'; name: string }>();
  for (const key of root.children.filter((c) => c.name === 'key')) {
    const domain = key.attributes.get('for') as 'node' | 'edge';
    const id = key.attributes.get('id')!;
    assert.ok(!keys.has(id), `key id ${id} declared twice`);
    keys.set(id, { domain, name: key.attributes.get('attr.name')! });
    declared[domain].set(key.attributes.get('attr.name')!, key.attributes.get('attr.type')!);
  }
  const values = (element: XmlElement, domain: 'node' | 'edge'): Map<string, string> => {
    const map = new Map<string, string>();
    for (const d of element.children.filter((c) => c.name === 'data')) {
      const key = keys.get(d.attributes.get('key')!);
      assert.ok(key !== undefined && key.domain === domain, `data with key ${d.attributes.get('key')} not declared for ${domain}`);
      map.set(key.name, d.text);
    }
    return map;
  };
  const nodes = new Map<string, Map<string, string>>();
  for (const node of elementsNamed(root, 'node')) nodes.set(node.attributes.get('id')!, values(node, 'node'));
  const edges = elementsNamed(root, 'edge').map((edge) => ({ source: edge.attributes.get('source')!, target: edge.attributes.get('target')!, values: values(edge, 'edge') }));
  return { nodes, edges, declared };
}

const READERS: Readonly<Record<string, (root: XmlElement) => ReadBack>> = { gexf: readGexf, graphml: readGraphml };

const badInput = (e: unknown): boolean => e instanceof LockstepError && e.code === 'detect/bad-input';

describe('gexfChunks', () => {
  it('writes GEXF 1.3, undirected, with cluster and score node attributes and per-trace edge attributes', () => {
    const root = parseXml(text(gexfChunks, SAMPLE));
    assert.equal(root.name, 'gexf');
    assert.equal(root.attributes.get('xmlns'), 'http://gexf.net/1.3');
    assert.equal(root.attributes.get('version'), '1.3');
    assert.equal(elementsNamed(root, 'graph')[0]!.attributes.get('defaultedgetype'), 'undirected');
    const { declared, nodes, edges } = readGexf(root);
    assert.deepEqual([...declared.node], [['cluster', 'long'], ['score', 'double'], ['screen_name', 'string'], ['followers', 'long']]);
    assert.deepEqual([...declared.edge], [['w_co_repost', 'double'], ['w_co_link', 'double']]);
    assert.deepEqual(Object.fromEntries(nodes.get('1184032918')!), { label: '香港加油 🇭🇰', cluster: '0', score: '0.92', screen_name: 'hk_news_24', followers: '5001' });
    assert.deepEqual(Object.fromEntries(nodes.get('x&y')!), { label: 'x&y', cluster: '1' });
    assert.deepEqual(Object.fromEntries(edges[1]!.values), { weight: '0.1', w_co_repost: '0', w_co_link: '0.1' });
  });

  it('stores the description and date only when given', () => {
    const bare = parseXml(text(gexfChunks, SAMPLE));
    assert.equal(elementsNamed(bare, 'description').length, 0);
    assert.equal(elementsNamed(bare, 'meta')[0]!.attributes.has('lastmodifieddate'), false);
    const dated = parseXml(text(gexfChunks, SAMPLE, { description: 'window <60 s> & co', lastModified: '2019-08-19' }));
    assert.equal(elementsNamed(dated, 'description')[0]!.text, 'window <60 s> & co');
    assert.equal(elementsNamed(dated, 'meta')[0]!.attributes.get('lastmodifieddate'), '2019-08-19');
  });
});

describe('graphmlChunks', () => {
  it('declares a key for every attribute it writes, in the right domain, with its type', () => {
    const root = parseXml(text(graphmlChunks, SAMPLE));
    assert.equal(root.attributes.get('xmlns'), 'http://graphml.graphdrawing.org/xmlns');
    assert.equal(elementsNamed(root, 'graph')[0]!.attributes.get('edgedefault'), 'undirected');
    const { declared, nodes, edges } = readGraphml(root);
    assert.deepEqual([...declared.node], [['label', 'string'], ['cluster', 'long'], ['score', 'double'], ['screen_name', 'string'], ['followers', 'long']]);
    assert.deepEqual([...declared.edge], [['weight', 'double'], ['w_co_repost', 'double'], ['w_co_link', 'double']]);
    assert.deepEqual(Object.fromEntries(nodes.get('c3VwZXJzZWNyZXQ=')!), { label: 'c3VwZXJzZWNyZXQ=', cluster: '0', score: '0.5' });
    assert.deepEqual(edges.map((e) => [e.source, e.target, e.values.get('weight')]), [['1184032918', 'c3VwZXJzZWNyZXQ=', '3.25'], ['c3VwZXJzZWNyZXQ=', 'x&y', '0.1']]);
    const defaults = elementsNamed(root, 'default').map((d) => d.text);
    assert.deepEqual(defaults, ['0', '0'], 'trace weights default to 0');
  });
});

for (const [format, writer] of WRITERS) {
  const read = (doc: string): ReadBack => READERS[format]!(parseXml(doc));

  describe(`${format}: content and robustness`, () => {
    it('writes a well-formed file for an empty network and for one without traces', () => {
      assert.equal(read(text(writer, { nodes: [], edges: [], traceNames: [] })).nodes.size, 0);
      const single = read(text(writer, { nodes: [{ id: 'a', cluster: null, score: null }], edges: [], traceNames: [] }));
      assert.deepEqual([...single.nodes.keys()], ['a']);
    });

    it('round-trips every finite double and safe integer exactly', () => {
      fc.assert(
        fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.maxSafeInteger(), (weight, trace, cluster) => {
          const back = read(text(writer, {
            nodes: [{ id: 'a', cluster, score: trace }, { id: 'b', cluster: 0, score: 0 }],
            edges: [{ source: 'a', target: 'b', weight, perTrace: { t: trace } }],
            traceNames: ['t'],
          }));
          const values = back.edges[0]!.values;
          return Object.is(Number(values.get('weight')), weight === 0 ? 0 : weight)
            && Number(values.get('w_t')) === trace
            && Number(back.nodes.get('a')!.get('cluster')) === cluster;
        }),
        { numRuns: 200 },
      );
    });

    it('keeps hostile ids well-formed and distinct, and decodes them back exactly', () => {
      const unit = fc.oneof(
        fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', '\u0000', '\u0008', '\u001f', '\ufffd', '\ufffe', '\uffff', '\ud83d', '\ude00', '😀', '港', ']]>', ' '),
        fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      );
      const id = fc.array(unit, { maxLength: 8 }).map((parts) => parts.join(''));
      fc.assert(
        fc.property(fc.uniqueArray(id, { minLength: 2, maxLength: 6 }), (ids) => {
          const nodes: ExportNode[] = ids.map((nodeId, i) => ({ id: nodeId, label: ids[(i + 1) % ids.length]!, cluster: i, score: null }));
          const edges: ExportEdge[] = ids.slice(1).map((nodeId, i) => ({ source: ids[i]!, target: nodeId, weight: 1, perTrace: {} }));
          const back = read(text(writer, { nodes, edges, traceNames: ['co_repost'] })); // throws if malformed
          const decoded = [...back.nodes.keys()].map(decodeXmlSafe);
          assert.deepEqual(decoded, ids);
          assert.deepEqual([...back.nodes.values()].map((v) => decodeXmlSafe(v.get('label')!)), nodes.map((n) => n.label));
          assert.deepEqual(back.edges.map((e) => [decodeXmlSafe(e.source), decodeXmlSafe(e.target)]), edges.map((e) => [e.source, e.target]));
        }),
        { numRuns: 300 },
      );
    });

    it('keeps an id with a control character apart from one that spells out its replacement', () => {
      const ids = ['a\u0001', 'a\ufffd0001', 'a\ufffd', 'a'];
      const back = read(text(writer, { nodes: ids.map((id) => ({ id, cluster: 0, score: 0 })), edges: [], traceNames: [] }));
      assert.equal(new Set(back.nodes.keys()).size, 4);
      assert.deepEqual([...back.nodes.keys()].map(decodeXmlSafe), ids);
    });

    it('writes emoji and CJK as they are, not as references', () => {
      const doc = text(writer, { nodes: [{ id: '香港', label: '🇭🇰 光復', cluster: 0, score: 1 }], edges: [], traceNames: [] });
      assert.ok(doc.includes('id="香港"'));
      assert.ok(doc.includes('🇭🇰 光復'));
    });

    it('can leave zero trace weights out, keeping the non-zero ones', () => {
      const back = read(text(writer, SAMPLE, { omitZeroTraceWeights: true }));
      assert.deepEqual(Object.fromEntries(back.edges[1]!.values), { weight: '0.1', w_co_link: '0.1' });
      assert.equal(back.edges[0]!.values.get('w_co_repost'), '3');
    });

    it('streams: the same text whatever the chunk size, and edges are pulled only as chunks are taken', () => {
      const nodes: ExportNode[] = Array.from({ length: 2_000 }, (_, i) => ({ id: `n${i}`, cluster: i % 7, score: i / 2_000 }));
      let pulled = 0;
      const edges = {
        *[Symbol.iterator](): Iterator<ExportEdge> {
          for (let i = 1; i < 20_000; i++) {
            pulled++;
            yield { source: `n${i % 2_000}`, target: `n${(i * 7) % 2_000}`, weight: i, perTrace: { a: i } };
          }
        },
      };
      const graph: NetworkExport = { nodes, edges, traceNames: ['a'] };
      const chunks = writer(graph, { chunkChars: 4_096 })[Symbol.iterator]();
      let first = chunks.next();
      assert.ok(!first.done && first.value.length >= 4_096);
      while (!first.done && pulled === 0) first = chunks.next();
      assert.ok(pulled > 0 && pulled < 1_000, `pulled ${pulled} edges for the first edge chunk`);
      assert.equal(text(writer, graph, { chunkChars: 1 }), text(writer, graph, { chunkChars: 1 << 20 }));
    });

    it('refuses what would make a misleading file: duplicate nodes, edges to unknown nodes, bad numbers, bad declarations', () => {
      const node = (id: string): ExportNode => ({ id, cluster: 0, score: 0 });
      const edge = (perTrace: Record<string, number> = {}, weight = 1): ExportEdge => ({ source: 'a', target: 'b', weight, perTrace });
      const cases: NetworkExport[] = [
        { nodes: [node('a'), node('a')], edges: [], traceNames: [] },
        { nodes: [node('a')], edges: [edge()], traceNames: [] },
        { nodes: [node('a'), node('b')], edges: [edge({}, NaN)], traceNames: [] },
        { nodes: [node('a'), node('b')], edges: [edge({ t: Infinity })], traceNames: ['t'] },
        { nodes: [node('a'), node('b')], edges: [edge({ other: 1 })], traceNames: ['t'] },
        { nodes: [{ id: 'a', cluster: 1.5, score: 0 }], edges: [], traceNames: [] },
        { nodes: [{ id: 'a', cluster: 0, score: 0, attributes: { n: 'x' } }], edges: [], traceNames: [], nodeAttributes: [{ name: 'n', type: 'integer' }] },
        { nodes: [], edges: [], traceNames: ['t', 't'] },
        { nodes: [], edges: [], traceNames: [''] },
        { nodes: [], edges: [], traceNames: [], nodeAttributes: [{ name: 'score', type: 'double' }] },
        { nodes: [], edges: [], traceNames: [], nodeAttributes: [{ name: 'id', type: 'string' }] },
      ];
      for (const [i, graph] of cases.entries()) assert.throws(() => text(writer, graph), badInput, `case ${i}`);
    });
  });
}
