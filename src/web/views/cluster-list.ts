/** The cluster list: scores, sizes, traces, with filters kept in the URL (`#/clusters?minScore=0.5&trace=url`). */
import type { ClusterFilters } from '../api-client.js';
import type { View } from '../app-context.js';
import { formatNumber, formatTime, h, replace } from '../dom.js';
import { traceColor } from '../trace-colors.js';

const PAGE = 50;
const seenTraces = new Set<string>();

function filtersFromHash(hash: string): ClusterFilters {
  const query = new URLSearchParams(hash.split('?')[1] ?? '');
  const number = (name: string): number | undefined => {
    const value = query.get(name);
    if (value === null || value === '') return undefined;
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  };
  const text = (name: string): string | undefined => {
    const value = query.get(name);
    return value === null || value === '' ? undefined : value;
  };
  return { minScore: number('minScore'), trace: text('trace'), minSize: number('minSize'), q: text('q'), offset: number('offset') };
}

function hashFromFilters(filters: ClusterFilters): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value !== undefined && value !== '' && value !== 0) query.set(key, String(value));
  const text = query.toString();
  return text === '' ? '#/clusters' : `#/clusters?${text}`;
}

/** A coloured label per trace. */
export function traceChips(traces: string[]): HTMLElement {
  return h('span', { class: 'chips' }, traces.map((trace) => h('span', { class: 'chip', style: `--chip:${traceColor(trace)}` }, trace)));
}

export const renderClusterList: View = async (root, context) => {
  const filters = filtersFromHash(location.hash);
  const result = await context.api.clusters({ ...filters, limit: PAGE });
  for (const item of result.items) for (const trace of item.traces) seenTraces.add(trace);
  if (filters.trace !== undefined) seenTraces.add(filters.trace);

  const field = (label: string, input: HTMLElement): HTMLElement => h('label', {}, label, input);
  const minScore = h('input', { type: 'number', name: 'minScore', step: '0.01', min: '0', max: '1', value: filters.minScore ?? '' });
  const minSize = h('input', { type: 'number', name: 'minSize', step: '1', min: '0', value: filters.minSize ?? '' });
  const q = h('input', { type: 'search', name: 'q', placeholder: 'account, handle, hashtag, URL…', value: filters.q ?? '' });
  const trace = h('select', { name: 'trace' }, h('option', { value: '' }, 'any trace'),
    [...seenTraces].sort().map((name) => h('option', { value: name, selected: name === filters.trace }, name)));
  const form = h('form', { class: 'filters', 'data-testid': 'cluster-filters' },
    field('Min score', minScore), field('Trace', trace), field('Min size', minSize), field('Search', q),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const read = (input: HTMLInputElement): number | undefined => (input.value === '' ? undefined : Number(input.value));
    context.navigate(hashFromFilters({ minScore: read(minScore), minSize: read(minSize), trace: trace.value || undefined, q: q.value.trim() || undefined }));
  });

  const rows = result.items.map((cluster) => h('tr', { 'data-testid': 'cluster-row', 'data-cluster': cluster.id },
    h('td', {}, h('a', { href: `#/clusters/${encodeURIComponent(cluster.id)}` }, cluster.id)),
    h('td', { class: 'num' }, formatNumber(cluster.score)),
    h('td', { class: 'num' }, cluster.size),
    h('td', {}, traceChips(cluster.traces)),
    h('td', { class: 'keys' }, cluster.topKeys.slice(0, 4).join(' · ')),
    h('td', {}, `${formatTime(cluster.firstTime)} → ${formatTime(cluster.lastTime)}`),
    h('td', {}, cluster.caseId === null ? '' : h('a', { href: `#/cases/${encodeURIComponent(cluster.caseId)}` }, cluster.caseId)),
    h('td', { class: 'muted' }, cluster.flagged === false ? `not flagged: ${cluster.organic ?? 'organic'}` : cluster.organic ?? '')));

  const offset = filters.offset ?? 0;
  const pager = h('div', { class: 'pager' },
    `${result.total === 0 ? 0 : offset + 1}–${offset + result.items.length} of ${result.total}`,
    offset > 0 ? h('a', { href: hashFromFilters({ ...filters, offset: Math.max(0, offset - PAGE) }) }, '‹ previous') : null,
    offset + result.items.length < result.total ? h('a', { href: hashFromFilters({ ...filters, offset: offset + PAGE }) }, 'next ›') : null);

  replace(root,
    h('h2', {}, 'Clusters', result.runId === undefined || result.runId === null ? null : h('span', { class: 'muted' }, ` · detection run ${result.runId}`)),
    form,
    result.items.length === 0
      ? h('p', { class: 'empty' }, 'No cluster matches these filters (or `lockstep detect --db` has not run on this store yet).')
      : h('table', { class: 'list', 'data-testid': 'cluster-list' },
        h('thead', {}, h('tr', {}, ['Cluster', 'Score', 'Size', 'Traces', 'Top keys', 'Active (UTC)', 'Case', 'Organic?'].map((name) => h('th', {}, name)))),
        h('tbody', {}, rows)),
    pager);
};
