/** The side panel of a cluster page: an account's details and signals, its links, and the posts behind a link. */
import type { ApiClient } from '../api-client.js';
import type { AccountDetail, PostRef, SharedAction } from '../api-types.js';
import { errorBox, formatTime, h, replace } from '../dom.js';
import type { ClusterGraph } from '../network/build-graph.js';
import { traceColor } from '../trace-colors.js';

function keyValues(record: Record<string, unknown> | null, testid: string): HTMLElement {
  if (record === null || Object.keys(record).length === 0) return h('p', { class: 'muted', 'data-testid': testid }, 'none recorded');
  return h('dl', { class: 'kv', 'data-testid': testid }, Object.entries(record).flatMap(([key, value]) => [
    h('dt', {}, key),
    h('dd', {}, typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)),
  ]));
}

function post(ref: PostRef): HTMLElement {
  return h('div', { class: 'post' },
    h('div', { class: 'post-meta' }, `${ref.accountId} · ${ref.kind} · ${formatTime(ref.time)}`),
    h('div', { class: 'post-text' }, ref.text ?? '(no text)'),
    ref.urls.length === 0 ? null : h('div', { class: 'post-urls' }, ref.urls.join(' ')));
}

/** Renders the account, its signals and its strongest links in the cluster (each opens the posts behind it). */
export async function showAccount(panel: HTMLElement, api: ApiClient, graph: ClusterGraph, accountId: string, onEdge: (source: string, target: string) => void): Promise<void> {
  replace(panel, h('p', { class: 'muted' }, `Loading ${accountId}…`));
  let detail: AccountDetail;
  try {
    detail = await api.account(accountId);
  } catch (error) {
    replace(panel, errorBox(error));
    return;
  }
  const links = graph.hasNode(accountId)
    ? graph.mapEdges(accountId, (_edge, attrs, source, target) => ({ other: source === accountId ? target : source, attrs }))
      .sort((a, b) => b.attrs.weight - a.attrs.weight).slice(0, 30)
    : [];
  replace(panel,
    h('h3', { 'data-testid': 'account-title' }, accountId),
    h('p', {}, `${detail.actions} actions · ${formatTime(detail.firstTime)} → ${formatTime(detail.lastTime)}`),
    detail.clusters.length > 1 ? h('p', {}, 'Also in: ', detail.clusters.map((id) => h('a', { href: `#/clusters/${encodeURIComponent(id)}` }, `${id} `))) : null,
    h('h4', {}, 'Account'), keyValues(detail.account, 'account-fields'),
    h('h4', {}, 'Signals'), keyValues(detail.signals, 'account-signals'),
    h('h4', {}, `Strongest links (${links.length} of ${graph.hasNode(accountId) ? graph.degree(accountId) : 0})`),
    h('ul', { class: 'links', 'data-testid': 'account-links' }, links.map(({ other, attrs }) => h('li', {},
      h('button', { type: 'button', class: 'link', 'data-testid': 'edge-link', onclick: () => onEdge(accountId, other) },
        h('span', { class: 'swatch', style: `background:${attrs.color}` }), `${other} · ${attrs.weight.toFixed(2)} · ${attrs.trace}`)))),
    detail.recent.length === 0 ? null : h('details', {}, h('summary', {}, `Recent posts (${detail.recent.length})`), detail.recent.map(post)));
}

/** Renders the pairs of posts that make one edge: same key, close in time. */
export async function showEdge(panel: HTMLElement, api: ApiClient, clusterId: string, source: string, target: string): Promise<void> {
  replace(panel, h('p', { class: 'muted' }, `Loading the posts behind ${source} — ${target}…`));
  let items: SharedAction[];
  try {
    items = (await api.edge(clusterId, source, target)).items;
  } catch (error) {
    replace(panel, errorBox(error));
    return;
  }
  replace(panel,
    h('h3', {}, `${source} — ${target}`),
    h('p', {}, `${items.length} shared actions`),
    h('ol', { class: 'shared', 'data-testid': 'edge-posts' }, items.map((item) => h('li', {},
      h('div', { class: 'shared-head' }, h('span', { class: 'chip', style: `--chip:${traceColor(item.trace)}` }, item.trace), ` ${item.key} · ${item.deltaSeconds}s apart`),
      post(item.a), post(item.b)))));
}
