/** One cluster: its network, timeline, evidence, the selected account and the posts behind a selected link. */
import type { View } from '../app-context.js';
import { can } from '../app-context.js';
import { errorBox, formatNumber, formatTime, h, replace } from '../dom.js';
import type { NetworkProbe } from '../network/network-view.js';
import { timelineChart } from '../timeline-chart.js';
import { traceColor } from '../trace-colors.js';
import { showAccount, showEdge } from './account-panel.js';
import { traceChips } from './cluster-list.js';

declare global {
  interface Window { lockstepNetwork?: NetworkProbe }
}

export const renderClusterPage: View = async (root, context, params) => {
  const id = params['id'] ?? '';
  // sigma and the layout load with the first cluster page, not with the sign-in and list pages.
  const [cluster, { createNetworkView }, { buildClusterGraph }] = await Promise.all([
    context.api.cluster(id), import('../network/network-view.js'), import('../network/build-graph.js'),
  ]);
  const graph = buildClusterGraph(cluster);

  const caseArea = h('span', { class: 'case-area' });
  const drawCaseArea = (caseId: string | null): void => {
    if (caseId !== null) {
      replace(caseArea, h('a', { class: 'button primary', href: `#/cases/${encodeURIComponent(caseId)}`, 'data-testid': 'go-case' }, `Case ${caseId}`));
    } else if (can(context, 'investigator')) {
      replace(caseArea, h('button', {
        type: 'button', class: 'primary', 'data-testid': 'open-case',
        onclick: () => {
          context.api.openCase(cluster.id, `Cluster ${cluster.id}`).then((opened) => context.navigate(`#/cases/${encodeURIComponent(opened.id)}`),
            (error: unknown) => replace(caseArea, errorBox(error)));
        },
      }, 'Open a case'));
    } else {
      replace(caseArea, h('span', { class: 'muted' }, 'No case yet (an investigator opens one).'));
    }
  };
  drawCaseArea(cluster.caseId);

  const usedTraces = [...new Set(graph.mapEdges((_edge, attrs) => attrs.trace))].sort();
  const networkBox = h('div', { class: 'network', 'data-testid': 'network' });
  const accountPanel = h('section', { class: 'panel', 'data-testid': 'account-panel' }, h('p', { class: 'muted' }, 'Click an account in the network to see its details; hover to see its neighbours.'));
  const edgePanel = h('section', { class: 'panel', 'data-testid': 'edge-panel' }, h('p', { class: 'muted' }, 'Click a link (or one of an account’s links) to read the posts behind it.'));
  const finder = h('input', { type: 'search', placeholder: 'find an account in the network', 'data-testid': 'find-account', list: 'cluster-members' });
  const datalist = h('datalist', { id: 'cluster-members' }, cluster.members.slice(0, 2000).map((member) => h('option', { value: member.accountId }, member.handle ?? '')));

  replace(root,
    h('div', { class: 'cluster-head' },
      h('h2', { 'data-testid': 'cluster-title' }, `Cluster ${cluster.id}`),
      h('span', {}, `score ${formatNumber(cluster.score)} · ${cluster.size} accounts · ${graph.size} links · ${formatTime(cluster.firstTime)} → ${formatTime(cluster.lastTime)}`),
      traceChips(cluster.traces),
      caseArea),
    cluster.organic === null ? null : h('p', { class: 'organic' }, `Possible organic explanation: ${cluster.organic}`),
    h('p', { class: 'keys' }, 'Top keys: ', cluster.topKeys.join(' · ')),
    h('div', { class: 'cluster-grid' },
      h('div', { class: 'network-column' },
        networkBox,
        h('div', { class: 'legend' }, 'Links by trace: ', usedTraces.map((trace) => h('span', { class: 'legend-item' }, h('span', { class: 'swatch', style: `background:${traceColor(trace)}` }), trace)),
          ' · dot size = activity', h('span', { class: 'finder' }, finder, datalist))),
      h('div', { class: 'side-column' }, accountPanel, edgePanel)),
    h('h3', {}, 'Co-actions over time'),
    timelineChart(cluster.timeline),
    h('details', { class: 'evidence' }, h('summary', {}, 'Evidence'), h('pre', {}, JSON.stringify(cluster.evidence, null, 2))));

  const openEdge = (source: string, target: string): void => { void showEdge(edgePanel, context.api, cluster.id, source, target); };
  const view = createNetworkView(networkBox, graph, {
    onSelectNode: (node) => {
      if (node === null) replace(accountPanel, h('p', { class: 'muted' }, 'Nothing selected.'));
      else void showAccount(accountPanel, context.api, graph, node, openEdge);
    },
    onSelectEdge: openEdge,
  });
  finder.addEventListener('change', () => {
    const wanted = finder.value.trim();
    if (!graph.hasNode(wanted)) return;
    view.select(wanted);
    void showAccount(accountPanel, context.api, graph, wanted, openEdge);
  });
  window.lockstepNetwork = view.probe;
  return () => {
    view.kill();
    if (window.lockstepNetwork === view.probe) delete window.lockstepNetwork;
  };
};
