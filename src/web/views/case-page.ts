/** A case: its entities and decisions (per entity and in bulk, with a dry run), enforcement, notes and audit trail. */
import type { ActionResult, AdapterName, AuditEntry, CaseDetail, CaseStatus, DecisionKind, DecisionResult, EntityRef } from '../api-types.js';
import type { AppContext, View } from '../app-context.js';
import { can } from '../app-context.js';
import { errorBox, formatTime, h, replace } from '../dom.js';

const NEXT: Partial<Record<CaseStatus, CaseStatus>> = { open: 'in_review', in_review: 'decided', decided: 'actioned', actioned: 'closed' };
const DECISIONS: DecisionKind[] = ['suspend', 'remove', 'label', 'no_action'];
const ADAPTERS: AdapterName[] = ['mastodon', 'ozone', 'webhook'];

/** `account:123` for an entity however the server spelled it. */
export function entityKey(entity: EntityRef | string): string {
  return typeof entity === 'string' ? entity : `${entity.kind}:${entity.id}`;
}

function changesTable(result: DecisionResult): HTMLElement {
  return h('div', { class: 'result', 'data-testid': result.dryRun ? 'dry-run-result' : 'decision-result' },
    h('p', {}, result.dryRun
      ? `Dry run: ${result.changes.length} entities would change; nothing was written.`
      : `Decided: ${result.decisions.length} decisions recorded, ${result.changes.length} changes.`),
    result.changes.length === 0 ? null : h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Entity'), h('th', {}, 'From'), h('th', {}, 'To'))),
      h('tbody', {}, result.changes.slice(0, 500).map((change) => h('tr', {}, h('td', {}, entityKey(change.entity)), h('td', {}, change.from ?? '—'), h('td', {}, change.to))))));
}

function outcomesTable(result: ActionResult): HTMLElement {
  const counts = { done: 0, failed: 0, skipped: 0 };
  for (const outcome of result.outcomes) counts[outcome.status] += 1;
  return h('div', { class: 'result', 'data-testid': result.dryRun ? 'action-dry-run' : 'action-result' },
    h('p', {}, `${result.dryRun ? 'Dry run: would act on' : 'Acted on'} ${result.outcomes.length} entities — ${counts.done} done, ${counts.failed} failed, ${counts.skipped} skipped.`),
    h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['Entity', 'Decision', 'Adapter', 'Status', 'Attempts', 'Detail'].map((name) => h('th', {}, name)))),
      h('tbody', {}, result.outcomes.slice(0, 500).map((outcome) => h('tr', {},
        h('td', {}, entityKey(outcome.entity)), h('td', {}, outcome.decision), h('td', {}, outcome.adapter),
        h('td', {}, h('span', { class: `status status-${outcome.status}` }, outcome.status)), h('td', { class: 'num' }, outcome.attempts), h('td', {}, outcome.detail))))));
}

/** The payload on one line: `entity=account:1 status=done` (long values cut). */
export function payloadSummary(payload: unknown): string {
  if (typeof payload !== 'object' || payload === null) return payload === undefined || payload === null ? '' : String(payload);
  const text = Object.entries(payload as Record<string, unknown>)
    .map(([key, value]) => `${key}=${typeof value === 'object' && value !== null ? ('kind' in value && 'id' in value ? entityKey(value as EntityRef) : JSON.stringify(value)) : String(value)}`)
    .join(' ');
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

function auditTable(entries: AuditEntry[]): HTMLElement {
  return h('table', { class: 'list audit', 'data-testid': 'audit-trail' },
    h('thead', {}, h('tr', {}, ['#', 'Time (UTC)', 'Actor', 'Action', 'Subject', 'Details', 'Hash'].map((name) => h('th', {}, name)))),
    h('tbody', {}, entries.map((entry) => h('tr', { 'data-testid': 'audit-entry', 'data-action': entry.action },
      h('td', { class: 'num' }, entry.seq), h('td', {}, formatTime(entry.time)), h('td', {}, entry.actor), h('td', {}, entry.action),
      h('td', {}, entry.subject), h('td', { class: 'payload' }, payloadSummary(entry.payload)),
      h('td', { class: 'hash', title: entry.hash }, entry.hash.slice(0, 12))))));
}

function render(root: HTMLElement, context: AppContext, detail: CaseDetail, audit: AuditEntry[], reload: (message?: HTMLElement) => void, message?: HTMLElement): void {
  const api = context.api;
  const fail = (error: unknown): void => reload(errorBox(error));
  const latest = new Map<string, DecisionKind>();
  for (const decision of detail.decisions) latest.set(entityKey(decision.entity), decision.decision);
  const outcomeOf = new Map<string, string>();
  for (const outcome of detail.outcomes) outcomeOf.set(entityKey(outcome.entity), `${outcome.adapter}: ${outcome.status}`);

  // Status moves and assignment.
  const next = NEXT[detail.status];
  const reason = h('input', { type: 'text', placeholder: 'reason (needed for an appeal)', 'data-testid': 'transition-reason' });
  const moves = h('div', { class: 'moves' },
    next === undefined || !can(context, detail.status === 'open' ? 'reviewer' : 'investigator') ? null : h('button', { type: 'button', 'data-testid': 'transition', onclick: () => {
      api.transition(detail.id, next, reason.value === '' ? {} : { reason: reason.value }).then(() => reload(), fail);
    } }, `Move to ${next}`),
    (detail.status === 'closed' || detail.status === 'actioned') && can(context, 'investigator') ? h('button', { type: 'button', 'data-testid': 'appeal', onclick: () => {
      api.transition(detail.id, 'open', { appeal: true, reason: reason.value }).then(() => reload(), fail);
    } }, 'Reopen on appeal') : null,
    can(context, 'reviewer') ? reason : null);
  const assignee = h('input', { type: 'text', placeholder: 'assignee', value: detail.assignee ?? '' });
  const assign = can(context, 'investigator') ? h('span', {}, assignee, h('button', { type: 'button', onclick: () => {
    api.assign(detail.id, assignee.value.trim()).then(() => reload(), fail);
  } }, 'Assign')) : null;

  // Decisions.
  const boxes = detail.entities.map((entity) => ({ entity, box: h('input', { type: 'checkbox', 'data-entity': entityKey(entity), 'aria-label': `select ${entity.id}` }) }));
  const all = h('input', { type: 'checkbox', 'aria-label': 'select all', onchange: () => { for (const { box } of boxes) box.checked = all.checked; } });
  const decision = h('select', { name: 'decision', 'data-testid': 'decision' }, DECISIONS.map((name) => h('option', { value: name }, name)));
  const decisionReason = h('input', { type: 'text', name: 'reason', placeholder: 'reason (recorded in the audit log)', 'data-testid': 'decision-reason' });
  const resultArea = h('div', { class: 'results' }, message ?? null);
  const decide = (dryRun: boolean): void => {
    const chosen = boxes.filter(({ box }) => box.checked).map(({ entity }) => ({ kind: entity.kind, id: entity.id }));
    const entities: EntityRef[] | 'all' = chosen.length === 0 || chosen.length === boxes.length ? 'all' : chosen;
    if (decisionReason.value.trim() === '') {
      replace(resultArea, errorBox(new Error('Give a reason: it goes into the audit log with the decision.')));
      return;
    }
    api.decide(detail.id, { entities, decision: decision.value as DecisionKind, reason: decisionReason.value.trim(), dryRun })
      .then((result) => (dryRun ? replace(resultArea, changesTable(result)) : reload(changesTable(result))), fail);
  };
  const decisionForm = can(context, 'reviewer') && ['open', 'in_review', 'decided'].includes(detail.status) ? h('div', { class: 'decide', 'data-testid': 'decision-form' },
    decision, decisionReason,
    h('button', { type: 'button', 'data-testid': 'decide-dry-run', onclick: () => decide(true) }, 'Dry run'),
    h('button', { type: 'button', class: 'primary', 'data-testid': 'decide', onclick: () => decide(false) }, 'Decide'),
    h('span', { class: 'muted' }, ' on the ticked entities (none ticked = all)')) : null;

  // Enforcement.
  const adapter = h('select', { name: 'adapter', 'data-testid': 'adapter' }, ADAPTERS.map((name) => h('option', { value: name }, name)));
  const act = (dryRun: boolean): void => {
    api.act(detail.id, { adapter: adapter.value as AdapterName, dryRun })
      .then((result) => (dryRun ? replace(resultArea, outcomesTable(result)) : reload(outcomesTable(result))), fail);
  };
  // The server runs enforcement on decided cases (and re-runs on actioned ones, to retry failures).
  const canAct = detail.status === 'decided' || detail.status === 'actioned';
  const actionForm = can(context, 'investigator') ? h('div', { class: 'act', 'data-testid': 'action-form' },
    adapter,
    h('button', { type: 'button', 'data-testid': 'act-dry-run', disabled: !canAct, onclick: () => act(true) }, 'Dry run the action'),
    h('button', { type: 'button', class: 'danger', 'data-testid': 'act', disabled: !canAct, onclick: () => act(false) }, 'Run the action'),
    canAct ? null : h('span', { class: 'muted' }, ` enforcement runs once the case is decided (now ${detail.status})`)) : null;

  // Notes.
  const noteText = h('textarea', { rows: 2, placeholder: 'add a note' });
  const noteForm = can(context, 'reviewer') ? h('div', { class: 'note-form' }, noteText, h('button', { type: 'button', onclick: () => {
    if (noteText.value.trim() !== '') api.note(detail.id, noteText.value.trim()).then(() => reload(), fail);
  } }, 'Add note')) : null;

  replace(root,
    h('div', { class: 'cluster-head' },
      h('h2', { 'data-testid': 'case-title' }, detail.title),
      h('span', { class: `status status-${detail.status}`, 'data-testid': 'case-status' }, detail.status),
      h('span', {}, 'cluster ', h('a', { href: `#/clusters/${encodeURIComponent(detail.clusterId)}` }, detail.clusterId)),
      h('span', { class: 'muted' }, `case ${detail.id} · assignee ${detail.assignee ?? '—'} · opened ${formatTime(detail.createdAt)} · updated ${formatTime(detail.updatedAt)}`)),
    h('div', { class: 'toolbar' }, moves, assign),
    h('h3', {}, `Entities (${detail.entities.length})`),
    decisionForm,
    actionForm,
    resultArea,
    h('table', { class: 'list', 'data-testid': 'entities' },
      h('thead', {}, h('tr', {}, h('th', {}, all), ['Kind', 'Id', 'Handle', 'Decision', 'Outcome'].map((name) => h('th', {}, name)))),
      h('tbody', {}, boxes.slice(0, 2000).map(({ entity, box }) => h('tr', { 'data-testid': 'entity-row' },
        h('td', {}, box), h('td', {}, entity.kind), h('td', {}, entity.id), h('td', {}, entity.handle ?? ''),
        h('td', { 'data-testid': 'entity-decision' }, latest.get(entityKey(entity)) ?? '—'),
        h('td', {}, outcomeOf.get(entityKey(entity)) ?? '—'))))),
    h('h3', {}, `Notes (${detail.notes.length})`),
    h('ul', { class: 'notes' }, detail.notes.map((note) => h('li', {}, h('span', { class: 'muted' }, `${note.author} · ${formatTime(note.time)}: `), note.text))),
    noteForm,
    h('h3', {}, `Audit trail (${audit.length})`),
    auditTable(audit));
}

export const renderCasePage: View = async (root, context, params) => {
  const id = params['id'] ?? '';
  let alive = true;
  const load = async (message?: HTMLElement): Promise<void> => {
    const [detail, audit] = await Promise.all([context.api.case(id), context.api.audit({ caseId: id, limit: 1000 })]);
    if (alive) render(root, context, detail, audit.items, (next) => { load(next).catch((error: unknown) => replace(root, errorBox(error))); }, message);
  };
  await load();
  return () => { alive = false; };
};
