import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildClusterGraph } from './build-graph.js';
import { traceColor } from '../trace-colors.js';

const member = (accountId: string, actions: number) => ({ accountId, handle: null, actions, degree: 0, attachment: 0 });

describe('buildClusterGraph', () => {
  it('is empty for an empty cluster', () => {
    const graph = buildClusterGraph({ members: [], edges: [] });
    assert.equal(graph.order, 0);
    assert.equal(graph.size, 0);
  });

  it('sizes accounts by activity and colours links by the trace carrying most weight', () => {
    const graph = buildClusterGraph({
      members: [member('a', 1), member('b', 100), member('c', 25)],
      edges: [
        { source: 'a', target: 'b', weight: 3, traces: { hashtag: 1, retweet: 2 } },
        { source: 'b', target: 'c', weight: 1, traces: { url: 1 } },
      ],
    });
    assert.ok(graph.getNodeAttribute('b', 'size') > graph.getNodeAttribute('c', 'size'));
    assert.ok(graph.getNodeAttribute('c', 'size') > graph.getNodeAttribute('a', 'size'));
    assert.equal(graph.getEdgeAttribute('a', 'b', 'trace'), 'retweet');
    assert.equal(graph.getEdgeAttribute('a', 'b', 'color'), traceColor('retweet'));
    assert.equal(graph.getEdgeAttribute('b', 'c', 'color'), traceColor('url'));
    assert.ok(graph.getEdgeAttribute('a', 'b', 'size') > graph.getEdgeAttribute('b', 'c', 'size'), 'heavier links are thicker');
  });

  it('ignores links to accounts outside the cluster, self-links and repeats, and labels by handle when there is one', () => {
    const graph = buildClusterGraph({
      members: [{ ...member('a', 1), handle: 'alpha' }, member('b', 1)],
      edges: [
        { source: 'a', target: 'b', weight: 1, traces: { url: 1 } },
        { source: 'b', target: 'a', weight: 1, traces: { url: 1 } },
        { source: 'a', target: 'a', weight: 1, traces: { url: 1 } },
        { source: 'a', target: 'zzz', weight: 1, traces: { url: 1 } },
      ],
    });
    assert.equal(graph.size, 1);
    assert.equal(graph.getNodeAttribute('a', 'label'), 'alpha');
    assert.equal(graph.getNodeAttribute('b', 'label'), 'b');
  });

  it('places the same cluster the same way every time (seeded start of the layout)', () => {
    const cluster = { members: [member('a', 1), member('b', 2)], edges: [] };
    const first = buildClusterGraph(cluster);
    const second = buildClusterGraph(cluster);
    assert.deepEqual(first.getNodeAttributes('a'), second.getNodeAttributes('a'));
    assert.notDeepEqual(buildClusterGraph(cluster, { seed: 1 }).getNodeAttribute('a', 'x'), first.getNodeAttribute('a', 'x'));
  });
});
