/** All cases, newest first as the server lists them, with a status filter. */
import type { CaseStatus } from '../api-types.js';
import type { View } from '../app-context.js';
import { formatTime, h, replace } from '../dom.js';

const STATUSES: CaseStatus[] = ['open', 'in_review', 'decided', 'actioned', 'closed'];

export const renderCaseList: View = async (root, context) => {
  const wanted = new URLSearchParams(location.hash.split('?')[1] ?? '').get('status');
  const status = STATUSES.find((candidate) => candidate === wanted);
  const result = await context.api.cases(status === undefined ? {} : { status });
  const select = h('select', { name: 'status', onchange: () => context.navigate(select.value === '' ? '#/cases' : `#/cases?status=${select.value}`) },
    h('option', { value: '' }, 'any status'), STATUSES.map((name) => h('option', { value: name, selected: name === status }, name)));
  replace(root,
    h('h2', {}, 'Cases'),
    h('div', { class: 'filters' }, h('label', {}, 'Status', select)),
    result.items.length === 0
      ? h('p', { class: 'empty' }, 'No case yet: open one from a cluster.')
      : h('table', { class: 'list', 'data-testid': 'case-list' },
        h('thead', {}, h('tr', {}, ['Case', 'Title', 'Cluster', 'Status', 'Assignee', 'Updated (UTC)'].map((name) => h('th', {}, name)))),
        h('tbody', {}, result.items.map((item) => h('tr', {},
          h('td', {}, h('a', { href: `#/cases/${encodeURIComponent(item.id)}` }, item.id)),
          h('td', {}, item.title),
          h('td', {}, h('a', { href: `#/clusters/${encodeURIComponent(item.clusterId)}` }, item.clusterId)),
          h('td', {}, h('span', { class: `status status-${item.status}` }, item.status)),
          h('td', {}, item.assignee ?? '—'),
          h('td', {}, formatTime(item.updatedAt)))))));
};
